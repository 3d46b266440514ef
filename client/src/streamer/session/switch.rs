//! Choosing a camera or microphone, and switching to it while running
//! without restarting anything else. Which device is chosen, and whether a
//! switch that finishes is still the one wanted, is plain state
//! ([`DeviceChoices`]), tested natively.

use super::{source, Context};
use crate::streamer::capture::Capture;
use crate::streamer::devices::{self, DeviceKind};
use crate::streamer::error::StreamerError;
use crate::streamer::model::StreamerAction;

/// The chosen camera and microphone (device ids; `None`: the browser's
/// default), and which pick of each kind is the latest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceChoices {
    camera: Option<String>,
    microphone: Option<String>,
    /// Picks made so far, per kind (camera, microphone).
    picks: [u64; 2],
}

/// A device picked by the user: the switch it starts applies only while
/// it is the latest pick of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    kind: DeviceKind,
    serial: u64,
}

fn slot(kind: DeviceKind) -> usize {
    match kind {
        DeviceKind::Camera => 0,
        DeviceKind::Microphone => 1,
    }
}

impl DeviceChoices {
    /// The chosen device of `kind`.
    pub fn get(&self, kind: DeviceKind) -> Option<String> {
        match kind {
            DeviceKind::Camera => self.camera.clone(),
            DeviceKind::Microphone => self.microphone.clone(),
        }
    }

    /// The chosen camera and microphone.
    pub fn chosen(&self) -> (Option<String>, Option<String>) {
        (self.camera.clone(), self.microphone.clone())
    }

    /// Records `id` for `kind` (a remembered choice, a device gone),
    /// without a switch.
    pub fn set(&mut self, kind: DeviceKind, id: Option<String>) {
        match kind {
            DeviceKind::Camera => self.camera = id,
            DeviceKind::Microphone => self.microphone = id,
        }
    }

    /// The user picked `id`: `None` when it is the device already chosen
    /// (nothing to do), else the pick, which supersedes earlier ones of
    /// its kind.
    pub fn pick(&mut self, kind: DeviceKind, id: Option<String>) -> Option<Pick> {
        if self.get(kind) == id {
            return None;
        }
        self.set(kind, id);
        let serial = &mut self.picks[slot(kind)];
        *serial += 1;
        Some(Pick {
            kind,
            serial: *serial,
        })
    }

    /// Whether `pick` is still the latest of its kind (a switch that
    /// finishes after a newer pick must not undo it).
    pub fn is_latest(&self, pick: &Pick) -> bool {
        self.picks[slot(pick.kind)] == pick.serial
    }
}

impl Context {
    /// Records a choice (for the next START and the picker), without
    /// switching.
    pub fn set_choice(&self, kind: DeviceKind, id: Option<String>) {
        self.session.borrow_mut().choices.set(kind, id.clone());
        self.model.dispatch(StreamerAction::Select(kind, id));
    }

    /// The user picked a device: remember it and, while running, switch to
    /// it without restarting anything else.
    pub fn select(&self, kind: DeviceKind, id: Option<String>) {
        let Some(pick) = self.session.borrow_mut().choices.pick(kind, id.clone()) else {
            return;
        };
        devices::save(&self.props.borrow().id, kind, id.as_deref());
        self.model
            .dispatch(StreamerAction::Select(kind, id.clone()));
        let (running, generation) = {
            let session = self.session.borrow();
            (session.capture.is_some(), session.generation)
        };
        if !running {
            return;
        }
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = context.switch(pick, id, generation).await {
                context.warn(&error);
            }
        });
    }

    /// Opens the picked device and puts its track where the old one was:
    /// the camera into the video path, the microphone into the output,
    /// either into a remote session's sender. The worker and the output
    /// go on.
    async fn switch(
        &self,
        pick: Pick,
        id: Option<String>,
        generation: u64,
    ) -> Result<(), StreamerError> {
        let kind = pick.kind;
        let request = self.capture_request();
        let Some(track) = Capture::open_device(&request, kind, id.as_deref()).await? else {
            return Ok(());
        };
        let wanted = {
            let session = self.session.borrow();
            session.generation == generation && session.choices.is_latest(&pick)
        };
        if !wanted {
            // STOP, a new START or a newer pick came while it opened.
            track.stop();
            return Ok(());
        }
        let (switched, switched_audio) = {
            let mut session = self.session.borrow_mut();
            let session = &mut *session;
            let Some(capture) = &mut session.capture else {
                track.stop();
                return Ok(());
            };
            let old = capture.replace(kind, Clone::clone(&track));
            let mut switched_audio = Ok(());
            if kind == DeviceKind::Microphone {
                match (&mut session.audio, &session.remote_audio) {
                    (Some(audio), _) => switched_audio = audio.switch_source(&track),
                    // The server's processed audio plays; its sender gets
                    // the new microphone below.
                    (None, Some(_)) => {}
                    (None, None) => session.output.replace_audio(old.as_ref(), &track),
                }
            }
            let fed = match (&mut session.path, kind) {
                (Some(path), DeviceKind::Camera) => match source(capture) {
                    Some(source) => path.switch_source(&source),
                    None => Ok(()),
                },
                _ => Ok(()),
            };
            // A remote session sends the new device from now on.
            if let Some(remote) = &session.remote {
                remote.borrow().replace_track(&track);
            }
            // The path reads a clone of its own: the old track is free.
            if let Some(old) = old {
                old.stop();
            }
            (fed, switched_audio)
        };
        if kind == DeviceKind::Camera {
            self.show_input();
        }
        self.refresh_devices();
        switched_audio.map_err(|e| StreamerError::Audio(e.into()))?;
        switched.map_err(StreamerError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pick_of_the_chosen_device_is_no_switch() {
        let mut choices = DeviceChoices::default();
        assert_eq!(choices.pick(DeviceKind::Camera, None), None);
        assert!(choices
            .pick(DeviceKind::Camera, Some("c1".into()))
            .is_some());
        assert_eq!(choices.pick(DeviceKind::Camera, Some("c1".into())), None);
        assert_eq!(choices.get(DeviceKind::Camera).as_deref(), Some("c1"));
        // Back to the default is a switch too.
        assert!(choices.pick(DeviceKind::Camera, None).is_some());
        assert_eq!(choices.chosen(), (None, None));
    }

    #[test]
    fn only_the_latest_pick_of_a_kind_applies() {
        let mut choices = DeviceChoices::default();
        let first = choices.pick(DeviceKind::Camera, Some("c1".into())).unwrap();
        let microphone = choices
            .pick(DeviceKind::Microphone, Some("m1".into()))
            .unwrap();
        assert!(choices.is_latest(&first), "another kind does not supersede");
        let second = choices.pick(DeviceKind::Camera, Some("c2".into())).unwrap();
        assert!(!choices.is_latest(&first), "c1 opened late must not win");
        assert!(choices.is_latest(&second) && choices.is_latest(&microphone));
        // A remembered choice loaded or forgotten is not a pick.
        choices.set(DeviceKind::Camera, None);
        assert!(choices.is_latest(&second));
        assert_eq!(choices.chosen(), (None, Some("m1".into())));
    }
}
