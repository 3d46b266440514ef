//! The Streamer's state and what changes it: plain code, tested natively.

use std::rc::Rc;

use yew::Reducible;

use super::devices::{Device, DeviceKind};
use crate::stats::StreamStats;

/// Where the component is, reported through `on_state`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum StreamerState {
    /// Not started, or stopped.
    #[default]
    Idle,
    /// START was pressed: asking for the camera, starting the worker.
    Starting,
    /// Processed frames are coming out.
    Playing,
    /// The processing worker failed and a new one is starting; the message
    /// says why. Back to `Playing` with its first frame.
    Restarting(String),
    /// Starting or processing failed; the message says why, for a person.
    Failed(String),
}

impl StreamerState {
    /// A short name: `idle`, `starting`, `playing`, `restarting`, `failed`.
    pub fn name(&self) -> &'static str {
        match self {
            StreamerState::Idle => "idle",
            StreamerState::Starting => "starting",
            StreamerState::Playing => "playing",
            StreamerState::Restarting(_) => "restarting",
            StreamerState::Failed(_) => "failed",
        }
    }
}

/// The component's state: where it is, the worker's last counters and the
/// devices to pick from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamerModel {
    /// Where the component is.
    pub state: StreamerState,
    /// The last stats (kept after STOP, for display).
    pub stats: Option<StreamStats>,
    /// The last non-fatal processing error, if any.
    pub warning: Option<String>,
    /// How many times the worker was restarted after a failure since START.
    pub restarts: u32,
    /// The cameras and microphones the browser lists (labels only once
    /// the page has camera permission).
    pub devices: Vec<Device>,
    /// The chosen camera's device id; `None` for the browser's default.
    pub camera: Option<String>,
    /// The chosen microphone's device id; `None` for the browser's default.
    pub microphone: Option<String>,
    /// Where the audio processor runs (`local`), or `None` while the
    /// microphone plays unprocessed.
    pub audio_runs_at: Option<&'static str>,
    /// Which local audio path runs (`worker`, `worklet`), while one does.
    pub audio_path: Option<&'static str>,
    /// The local audio path's underruns since it started: blocks late or
    /// lost (the worker path counts them).
    pub audio_underruns: u64,
}

/// What changes a [`StreamerModel`].
#[derive(Debug, Clone, PartialEq)]
pub enum StreamerAction {
    /// START.
    Start,
    /// The worker reported stats: frames are flowing.
    Stats(Box<StreamStats>),
    /// A non-fatal error (a bad param, one frame failed, a device switch
    /// that did not work).
    Warn(String),
    /// Starting or processing failed.
    Fail(String),
    /// The worker failed and is being restarted (the message says why).
    Restart(String),
    /// STOP.
    Stop,
    /// The browser's device list.
    Devices(Vec<Device>),
    /// A device was chosen (`None`: the browser's default).
    Select(DeviceKind, Option<String>),
    /// The audio processor runs there (`None`: it stopped).
    Audio(Option<&'static str>),
    /// The local audio path that runs (`None`: none does).
    AudioPath(Option<&'static str>),
    /// The local audio path's underruns so far.
    AudioUnderruns(u64),
    /// Audio only: the microphone is open and in the output, so the
    /// Streamer plays (there are no frames to wait for).
    Listening,
}

impl StreamerModel {
    /// Whether START is under way, frames flow, or the worker restarts.
    pub fn is_active(&self) -> bool {
        matches!(
            self.state,
            StreamerState::Starting | StreamerState::Playing | StreamerState::Restarting(_)
        )
    }

    /// The devices of one kind, in the browser's order.
    pub fn devices_of(&self, kind: DeviceKind) -> impl Iterator<Item = &Device> {
        self.devices.iter().filter(move |d| d.kind == kind)
    }

    /// The chosen device of `kind`.
    pub fn selected(&self, kind: DeviceKind) -> Option<&str> {
        match kind {
            DeviceKind::Camera => self.camera.as_deref(),
            DeviceKind::Microphone => self.microphone.as_deref(),
        }
    }
}

impl Reducible for StreamerModel {
    type Action = StreamerAction;

    fn reduce(self: Rc<Self>, action: StreamerAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            StreamerAction::Start if self.is_active() => return self,
            StreamerAction::Start => {
                next.state = StreamerState::Starting;
                next.stats = None;
                next.warning = None;
                next.restarts = 0;
                next.audio_runs_at = None;
                next.audio_path = None;
                next.audio_underruns = 0;
            }
            StreamerAction::Restart(_) if !self.is_active() => return self,
            StreamerAction::Restart(message) => {
                // The warning stays after frames flow again.
                next.warning = Some(message.clone());
                next.state = StreamerState::Restarting(message);
                next.restarts += 1;
            }
            // Late stats from a stopped or failed run change nothing.
            StreamerAction::Stats(_) if !self.is_active() => return self,
            StreamerAction::Stats(stats) => {
                let mut stats = *stats;
                // The time to the first frame is measured once per run.
                stats.first_frame_ms = stats
                    .first_frame_ms
                    .or_else(|| self.stats.as_ref().and_then(|s| s.first_frame_ms));
                next.state = StreamerState::Playing;
                next.stats = Some(stats);
            }
            StreamerAction::Warn(message) => next.warning = Some(message),
            StreamerAction::Fail(message) => next.state = StreamerState::Failed(message),
            StreamerAction::Stop if self.state == StreamerState::Idle => return self,
            StreamerAction::Stop => {
                next.state = StreamerState::Idle;
                next.audio_runs_at = None;
                next.audio_path = None;
            }
            StreamerAction::Devices(devices) if devices == self.devices => return self,
            StreamerAction::Devices(devices) => next.devices = devices,
            StreamerAction::Select(kind, id) => match kind {
                DeviceKind::Camera => next.camera = id,
                DeviceKind::Microphone => next.microphone = id,
            },
            StreamerAction::Listening if !self.is_active() => return self,
            StreamerAction::Listening => next.state = StreamerState::Playing,
            StreamerAction::Audio(_) if !self.is_active() => return self,
            StreamerAction::Audio(at) => next.audio_runs_at = at,
            StreamerAction::AudioPath(_) | StreamerAction::AudioUnderruns(_)
                if !self.is_active() =>
            {
                return self
            }
            StreamerAction::AudioPath(path) => {
                next.audio_path = path;
                next.audio_underruns = 0;
            }
            StreamerAction::AudioUnderruns(count) if count == self.audio_underruns => return self,
            StreamerAction::AudioUnderruns(count) => next.audio_underruns = count,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::WorkerStats;
    use crate::stats::{PATH_TRACK, RUNS_LOCAL};

    fn reduce(model: StreamerModel, action: StreamerAction) -> StreamerModel {
        (*Rc::new(model).reduce(action)).clone()
    }

    fn stats(frames: u64, first_frame_ms: Option<f64>) -> StreamStats {
        StreamStats {
            worker: WorkerStats {
                frames,
                ..WorkerStats::default()
            },
            first_frame_ms,
            runs_at: RUNS_LOCAL.into(),
            path: PATH_TRACK.into(),
            reason: String::new(),
        }
    }

    #[test]
    fn audio_only_plays_once_the_microphone_listens() {
        let model = Rc::new(StreamerModel::default());
        let model = model.reduce(StreamerAction::Start);
        assert_eq!(model.state, StreamerState::Starting);
        let model = model.reduce(StreamerAction::Listening);
        assert_eq!(model.state, StreamerState::Playing);
        // After STOP a late one changes nothing.
        let model = model.reduce(StreamerAction::Stop);
        let model = model.reduce(StreamerAction::Listening);
        assert_eq!(model.state, StreamerState::Idle);
    }

    #[test]
    fn the_audio_path_and_its_underruns_last_one_run() {
        let model = reduce(StreamerModel::default(), StreamerAction::Start);
        let model = reduce(model, StreamerAction::AudioPath(Some("worker")));
        let model = reduce(model, StreamerAction::AudioUnderruns(2));
        assert_eq!(
            (model.audio_path, model.audio_underruns),
            (Some("worker"), 2)
        );
        let model = reduce(model, StreamerAction::Stop);
        assert_eq!(model.audio_path, None);
        // Late counters after STOP change nothing; START clears them.
        let late = reduce(model.clone(), StreamerAction::AudioUnderruns(5));
        assert_eq!(late, model);
        let model = reduce(model, StreamerAction::Start);
        assert_eq!(model.audio_underruns, 0);
    }

    #[test]
    fn start_stats_stop() {
        let model = reduce(StreamerModel::default(), StreamerAction::Start);
        assert_eq!(model.state, StreamerState::Starting);
        assert!(model.is_active());
        let first = stats(1, Some(120.0));
        let model = reduce(model, StreamerAction::Stats(Box::new(first.clone())));
        assert_eq!(model.state, StreamerState::Playing);
        assert_eq!(model.stats, Some(first.clone()));
        // Later stats keep the first frame's time.
        let model = reduce(model, StreamerAction::Stats(Box::new(stats(10, None))));
        assert_eq!(
            model.stats.as_ref().and_then(|s| s.first_frame_ms),
            Some(120.0)
        );
        let model = reduce(model, StreamerAction::Stop);
        assert_eq!(model.state, StreamerState::Idle);
        // Late stats after STOP don't restart anything.
        let late = reduce(model.clone(), StreamerAction::Stats(Box::new(first)));
        assert_eq!(late, model);
    }

    #[test]
    fn a_failure_is_kept_until_the_next_start() {
        let model = reduce(StreamerModel::default(), StreamerAction::Start);
        let model = reduce(model, StreamerAction::Warn("bad param".into()));
        assert_eq!(model.warning.as_deref(), Some("bad param"));
        let model = reduce(model, StreamerAction::Fail("denied".into()));
        assert_eq!(model.state, StreamerState::Failed("denied".into()));
        assert!(!model.is_active());
        let model = reduce(model, StreamerAction::Start);
        assert_eq!(
            (model.state, model.warning),
            (StreamerState::Starting, None)
        );
    }

    #[test]
    fn a_restart_says_why_until_frames_flow_again() {
        let model = reduce(StreamerModel::default(), StreamerAction::Start);
        let model = reduce(model, StreamerAction::Stats(Box::new(stats(1, Some(90.0)))));
        let model = reduce(model, StreamerAction::Restart("crashed".into()));
        assert_eq!(model.state, StreamerState::Restarting("crashed".into()));
        assert_eq!(model.state.name(), "restarting");
        assert!(model.is_active());
        assert_eq!(model.restarts, 1);
        let model = reduce(model, StreamerAction::Stats(Box::new(stats(1, None))));
        assert_eq!(model.state, StreamerState::Playing);
        assert_eq!(model.warning.as_deref(), Some("crashed"));
        // Not after STOP.
        let stopped = reduce(model, StreamerAction::Stop);
        let late = reduce(stopped.clone(), StreamerAction::Restart("late".into()));
        assert_eq!(late, stopped);
        // A new START forgets the restarts.
        assert_eq!(reduce(late, StreamerAction::Start).restarts, 0);
    }

    #[test]
    fn devices_are_listed_and_chosen_by_kind() {
        let device = |kind, id: &str| Device {
            kind,
            id: id.into(),
            label: String::new(),
        };
        let list = vec![
            device(DeviceKind::Camera, "c1"),
            device(DeviceKind::Microphone, "m1"),
            device(DeviceKind::Camera, "c2"),
        ];
        let model = reduce(
            StreamerModel::default(),
            StreamerAction::Devices(list.clone()),
        );
        let cameras: Vec<_> = model
            .devices_of(DeviceKind::Camera)
            .map(|d| &d.id)
            .collect();
        assert_eq!(cameras, ["c1", "c2"]);
        let model = reduce(
            model,
            StreamerAction::Select(DeviceKind::Camera, Some("c2".into())),
        );
        assert_eq!(model.selected(DeviceKind::Camera), Some("c2"));
        assert_eq!(model.selected(DeviceKind::Microphone), None);
        // The same list again is no change.
        let same = Rc::new(model);
        let again = same.clone().reduce(StreamerAction::Devices(list));
        assert!(Rc::ptr_eq(&same, &again));
    }
}
