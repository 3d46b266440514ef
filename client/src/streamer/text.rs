//! Every string the Streamer shows, replaceable for another language, and
//! the message for each [`StreamerError`].

use super::capture::CaptureError;
use super::error::{StreamerError, WorkerFault};
use super::remote::RemoteError;
use super::video_path::PathError;
use super::worker_life::{FAILURE_WINDOW_MS, MAX_FAILURES, WORKER_START_MS};

/// What the Streamer writes on the page. [`Default`] is English; an app
/// translates by filling its own:
///
/// ```
/// use framewise_yew::StreamerText;
///
/// let french = StreamerText {
///     start: "DÉMARRER".into(),
///     stop: "ARRÊTER".into(),
///     ..StreamerText::default()
/// };
/// assert_eq!(french.camera, "Camera");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StreamerText {
    /// The start button.
    pub start: String,
    /// The stop button.
    pub stop: String,
    /// Status when idle.
    pub idle: String,
    /// Status while starting.
    pub starting: String,
    /// Status while frames flow.
    pub playing: String,
    /// Status while the worker restarts.
    pub restarting: String,
    /// Status after a failure.
    pub failed: String,
    /// The camera picker's label and the raw camera's caption.
    pub camera: String,
    /// The microphone picker's label.
    pub microphone: String,
    /// The picker's entry for the browser's default device.
    pub default_device: String,
    /// The output's caption (the processor's name follows it).
    pub output: String,
    /// Shown while the camera is streamed to a server (its URL follows).
    pub sending_to: String,
    /// The snapshot button.
    pub snapshot: String,
    /// The button that records the output.
    pub record: String,
    /// The button that records the input (with `record_input`).
    pub record_input: String,
    /// A record button while it records.
    pub stop_recording: String,
    /// The input view's caption for a file source.
    pub file: String,
    /// The input view's caption for the screen.
    pub screen: String,
    /// The input view's caption for a generated source.
    pub generated: String,
    /// The input view's caption for a mix.
    pub mix: String,
    /// Shown in place of the output video when send-only.
    pub send_only: String,
    /// The page is not a secure context.
    pub insecure_context: String,
    /// Camera or microphone permission was denied.
    pub permission_denied: String,
    /// No camera (or microphone) exists.
    pub no_device: String,
    /// The device is in use or could not be opened.
    pub device_busy: String,
    /// The constraints cannot be met; `{detail}` is replaced by the
    /// browser's own words.
    pub overconstrained: String,
    /// Any other camera error; `{detail}` is replaced by the browser's own
    /// words.
    pub camera_failed: String,
    /// The worker did not say Ready in time (`{secs}`, `{url}`).
    pub worker_not_started: String,
    /// The worker's script failed before Ready (`{detail}`, `{url}`).
    pub worker_not_loaded: String,
    /// The worker failed and was restarted (`{detail}`, `{count}`,
    /// `{max}`, `{secs}`).
    pub worker_restarted: String,
    /// The worker failed too often (`{count}`, `{secs}`, `{detail}`).
    pub worker_gave_up: String,
    /// The browser cannot process frames locally.
    pub no_webcodecs: String,
    /// The browser cannot stream to a server.
    pub no_webrtc: String,
    /// The server could not be reached (`{url}`, `{detail}`).
    pub server_unreachable: String,
    /// The server runs its maximum of sessions (`{detail}`).
    pub server_busy: String,
    /// The server refused the session (`{status}`, `{detail}`).
    pub server_refused: String,
    /// Auto placement came back to local (`{detail}`: why).
    pub back_to_local: String,
}

impl Default for StreamerText {
    fn default() -> Self {
        Self {
            start: "START".into(),
            stop: "STOP".into(),
            idle: "stopped".into(),
            starting: "starting…".into(),
            playing: "live".into(),
            restarting: "restarting…".into(),
            failed: "failed".into(),
            camera: "Camera".into(),
            microphone: "Microphone".into(),
            default_device: "Default".into(),
            output: "Output".into(),
            sending_to: "Camera sent for processing to".into(),
            snapshot: "SNAPSHOT".into(),
            record: "RECORD".into(),
            record_input: "RECORD INPUT".into(),
            stop_recording: "■ STOP REC".into(),
            file: "File".into(),
            screen: "Screen".into(),
            generated: "Generated".into(),
            mix: "Mix".into(),
            send_only: "Send-only: frames are processed for their results; no video comes back."
                .into(),
            insecure_context: "The camera needs a secure page: open it over HTTPS, or on \
                               localhost / 127.0.0.1 while developing."
                .into(),
            permission_denied: "Camera or microphone permission was denied. Allow them for \
                                this site (the icon in the address bar) and press START again."
                .into(),
            no_device: "No camera (or, with audio on, no microphone) was found. Connect one \
                        and press START again."
                .into(),
            device_busy: "The camera or microphone is busy or could not be opened: close \
                          other apps or tabs using it and press START again."
                .into(),
            overconstrained: "The camera cannot deliver the requested device, resolution or \
                              frame rate ({detail}). Try other settings."
                .into(),
            camera_failed: "The camera could not be started: {detail}".into(),
            worker_not_started: "The processing worker did not start within {secs} s. Check \
                                 that {url} is the worker script and that it and its wasm \
                                 load (the browser console says why not)."
                .into(),
            worker_not_loaded: "The processing worker failed ({detail}). Check that {url} is \
                                the worker script."
                .into(),
            worker_restarted: "The processing worker failed ({detail}); restarted it ({count} \
                               of {max} failures allowed within {secs} s)."
                .into(),
            worker_gave_up: "Processing stopped: the processing worker failed {count} times \
                             within {secs} s. Last failure: {detail}"
                .into(),
            no_webcodecs: "This browser lacks WebCodecs VideoFrame (and \
                           MediaStreamTrackProcessor), which local processing needs: use a \
                           recent Chromium-based browser."
                .into(),
            no_webrtc: "This browser has no WebRTC (RTCPeerConnection), which remote \
                        processing needs."
                .into(),
            server_unreachable: "The processing server at {url} could not be reached \
                                 ({detail}). Is it running?"
                .into(),
            server_busy: "The processing server is busy: {detail}".into(),
            server_refused: "The processing server refused the session ({status}): {detail}".into(),
            back_to_local: "auto: back to local ({detail})".into(),
        }
    }
}

impl StreamerText {
    /// A message a person can act on for a failed `getUserMedia`, from the
    /// `DOMException`'s name and the browser's own text.
    pub fn camera_error(&self, name: Option<&str>, detail: &str) -> String {
        let template = match name {
            Some("NotAllowedError" | "SecurityError") => &self.permission_denied,
            Some("NotFoundError" | "DevicesNotFoundError") => &self.no_device,
            Some("NotReadableError" | "TrackStartError" | "AbortError") => &self.device_busy,
            Some("OverconstrainedError" | "ConstraintNotSatisfiedError") => &self.overconstrained,
            _ => &self.camera_failed,
        };
        template.replace("{detail}", detail)
    }

    /// The message a person reads for `error`.
    pub fn message(&self, error: &StreamerError) -> String {
        let fill = |template: &str, fields: &[(&str, &dyn std::fmt::Display)]| {
            fields
                .iter()
                .fold(template.to_owned(), |text, (name, value)| {
                    text.replace(&format!("{{{name}}}"), &value.to_string())
                })
        };
        let secs = |ms: f64| ms / 1000.0;
        match error {
            StreamerError::Capture(CaptureError::InsecureContext) => self.insecure_context.clone(),
            StreamerError::Capture(CaptureError::Refused(error)) => {
                self.camera_error(error.name(), &error.detail())
            }
            StreamerError::WorkerNotStarted { url } => fill(
                &self.worker_not_started,
                &[("secs", &(WORKER_START_MS / 1000)), ("url", url)],
            ),
            StreamerError::WorkerNotLoaded { url, detail } => {
                fill(&self.worker_not_loaded, &[("detail", detail), ("url", url)])
            }
            StreamerError::WorkerGaveUp { count, detail } => fill(
                &self.worker_gave_up,
                &[
                    ("count", count),
                    ("secs", &secs(FAILURE_WINDOW_MS)),
                    ("detail", detail),
                ],
            ),
            StreamerError::Path(PathError::NoWebCodecs) => self.no_webcodecs.clone(),
            StreamerError::Remote(RemoteError::NoWebRtc) => self.no_webrtc.clone(),
            StreamerError::Remote(RemoteError::Unreachable { url, source }) => fill(
                &self.server_unreachable,
                &[("url", url), ("detail", source)],
            ),
            StreamerError::Remote(RemoteError::Busy { detail }) => {
                fill(&self.server_busy, &[("detail", detail)])
            }
            StreamerError::Remote(RemoteError::Refused { status, detail }) => fill(
                &self.server_refused,
                &[("status", status), ("detail", detail)],
            ),
            other => other.to_string(),
        }
    }

    /// The notice for a worker restarted after `fault`, failure `count`
    /// within the window.
    pub fn restarted(&self, fault: &WorkerFault, count: usize) -> String {
        [
            ("{detail}", fault.to_string()),
            ("{count}", count.to_string()),
            ("{max}", MAX_FAILURES.to_string()),
            ("{secs}", (FAILURE_WINDOW_MS / 1000.0).to_string()),
        ]
        .iter()
        .fold(self.worker_restarted.clone(), |text, (name, value)| {
            text.replace(name, value)
        })
    }

    /// Auto placement's reason after it came back from a server that
    /// failed with `error`.
    pub fn back_to_local(&self, error: &StreamerError) -> String {
        self.back_to_local.replace("{detail}", &self.message(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_errors_say_what_to_do() {
        let text = StreamerText::default();
        let message = |name, detail| text.camera_error(Some(name), detail);
        assert!(message("NotAllowedError", "x").contains("permission was denied"));
        assert!(message("NotFoundError", "x").contains("No camera"));
        assert!(message("NotReadableError", "x").contains("busy"));
        let over = message("OverconstrainedError", "width");
        assert!(over.contains("resolution") && over.contains("(width)"));
        assert!(text.camera_error(None, "boom").ends_with("boom"));
    }

    #[test]
    fn errors_render_as_the_page_shows_them() {
        use crate::js::JsError;
        use crate::streamer::worker_link::WorkerError;
        let text = StreamerText::default();
        let denied = StreamerError::Capture(CaptureError::Refused(JsError::Threw {
            call: "getUserMedia".into(),
            name: Some("NotAllowedError".into()),
            message: "Permission denied".into(),
        }));
        assert!(text.message(&denied).contains("permission was denied"));
        let insecure = StreamerError::Capture(CaptureError::InsecureContext);
        let insecure = text.message(&insecure);
        assert!(insecure.contains("HTTPS") && insecure.contains("localhost"));
        let stuck = StreamerError::WorkerNotStarted {
            url: "./w.js".into(),
        };
        assert_eq!(
            text.message(&stuck),
            "The processing worker did not start within 10 s. Check that ./w.js is the worker \
             script and that it and its wasm load (the browser console says why not)."
        );
        let gave_up = StreamerError::WorkerGaveUp {
            count: 3,
            detail: "it crashed: unreachable".into(),
        };
        assert_eq!(
            text.message(&gave_up),
            "Processing stopped: the processing worker failed 3 times within 10 s. Last \
             failure: it crashed: unreachable"
        );
        let restarted = text.restarted(&WorkerFault::Crashed("unreachable".into()), 1);
        assert_eq!(
            restarted,
            "The processing worker failed (it crashed: unreachable); restarted it (1 of 3 \
             failures allowed within 10 s)."
        );
        let unreachable = StreamerError::Remote(RemoteError::Unreachable {
            url: "http://127.0.0.1:1/api/sessions".into(),
            source: JsError::Threw {
                call: "fetch".into(),
                name: Some("TypeError".into()),
                message: "Failed to fetch".into(),
            },
        });
        assert_eq!(
            text.message(&unreachable),
            "The processing server at http://127.0.0.1:1/api/sessions could not be reached \
             (fetch: TypeError: Failed to fetch). Is it running?"
        );
        let busy = StreamerError::Remote(RemoteError::Busy {
            detail: "full".into(),
        });
        assert_eq!(text.message(&busy), "The processing server is busy: full");
        let spawn = StreamerError::Worker(WorkerError::Spawn {
            url: "x:".into(),
            source: JsError::Threw {
                call: "new Worker".into(),
                name: Some("SyntaxError".into()),
                message: "bad URL".into(),
            },
        });
        assert_eq!(
            text.message(&spawn),
            "could not start the processing worker x:: SyntaxError: bad URL"
        );
        assert_eq!(
            text.back_to_local(&StreamerError::Remote(RemoteError::Lost("failed".into()))),
            "auto: back to local (the connection to the processing server was lost (failed))"
        );
    }

    #[test]
    fn translated_messages_are_used() {
        let text = StreamerText {
            overconstrained: "Impossible : {detail}".into(),
            ..StreamerText::default()
        };
        assert_eq!(
            text.camera_error(Some("OverconstrainedError"), "deviceId"),
            "Impossible : deviceId"
        );
    }
}
