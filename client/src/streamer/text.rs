//! Every string the Streamer shows, replaceable for another language, and
//! the messages for camera errors.

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
