//! Cameras and microphones: the browser's list, the one remembered in
//! `localStorage`, and the constraints that ask for it.

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::js::{self, JsError};

/// A kind of capture device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeviceKind {
    /// A camera (`videoinput`).
    Camera,
    /// A microphone (`audioinput`).
    Microphone,
}

impl DeviceKind {
    /// The `MediaDeviceInfo.kind` of this kind.
    pub fn browser_kind(self) -> &'static str {
        match self {
            DeviceKind::Camera => "videoinput",
            DeviceKind::Microphone => "audioinput",
        }
    }

    /// `camera` or `microphone`: for storage keys and CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Camera => "camera",
            DeviceKind::Microphone => "microphone",
        }
    }

    fn from_browser(kind: &str) -> Option<Self> {
        match kind {
            "videoinput" => Some(DeviceKind::Camera),
            "audioinput" => Some(DeviceKind::Microphone),
            _ => None,
        }
    }
}

/// One capture device as the browser lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Camera or microphone.
    pub kind: DeviceKind,
    /// The browser's device id (empty before the page has permission).
    pub id: String,
    /// The browser's label (empty before the page has permission).
    pub label: String,
}

impl Device {
    /// The label, or `"{fallback} {n}"` (1-based) when the browser gives
    /// none.
    pub fn display_label(&self, fallback: &str, n: usize) -> String {
        if self.label.is_empty() {
            format!("{fallback} {}", n + 1)
        } else {
            self.label.clone()
        }
    }
}

/// The `localStorage` key remembering the chosen device of `kind` for the
/// Streamer with this id.
pub fn storage_key(streamer_id: &str, kind: DeviceKind) -> String {
    format!("framewise.{streamer_id}.{}", kind.name())
}

/// The remembered device to ask for: `saved`, unless the browser lists
/// device ids of this kind (it has permission) and `saved` is not among
/// them (the device is gone).
pub fn remembered(saved: Option<&str>, devices: &[Device], kind: DeviceKind) -> Option<String> {
    let saved = saved.filter(|s| !s.is_empty())?;
    let mut ids = devices
        .iter()
        .filter(|d| d.kind == kind && !d.id.is_empty())
        .peekable();
    if ids.peek().is_none() || devices.iter().any(|d| d.kind == kind && d.id == saved) {
        Some(saved.to_owned())
    } else {
        None
    }
}

/// The `deviceId` constraint for a chosen device: `exact` when switching
/// (the wrong device must not do), `ideal` at START (a remembered device
/// that is gone falls back to the default instead of failing).
pub fn device_constraint(id: &str, exact: bool) -> Result<JsValue, JsError> {
    let key = if exact { "exact" } else { "ideal" };
    js::object(&[(key, JsValue::from_str(id))]).map(JsValue::from)
}

/// The browser's cameras and microphones (`enumerateDevices`; this does
/// not open any device).
pub async fn list(media_devices: &JsValue) -> Result<Vec<Device>, JsError> {
    let infos = js::call_async(media_devices, "enumerateDevices", &[]).await?;
    let infos: js_sys::Array = infos.into();
    Ok(infos
        .iter()
        .filter_map(|info| {
            let text = |name| js::get(&info, name).ok().and_then(|v| v.as_string());
            Some(Device {
                kind: DeviceKind::from_browser(&text("kind")?)?,
                id: text("deviceId").unwrap_or_default(),
                label: text("label").unwrap_or_default(),
            })
        })
        .collect())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The device of `kind` remembered for this Streamer, if any.
pub fn load(streamer_id: &str, kind: DeviceKind) -> Option<String> {
    storage()?
        .get_item(&storage_key(streamer_id, kind))
        .ok()
        .flatten()
}

/// Remembers the device of `kind` (`None` forgets it). Storage that is
/// full or disabled is ignored: the choice then lasts until reload.
pub fn save(streamer_id: &str, kind: DeviceKind, id: Option<&str>) {
    let Some(storage) = storage() else { return };
    let key = storage_key(streamer_id, kind);
    let _ = match id {
        Some(id) => storage.set_item(&key, id),
        None => storage.remove_item(&key),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(kind: DeviceKind, id: &str) -> Device {
        Device {
            kind,
            id: id.into(),
            label: String::new(),
        }
    }

    #[test]
    fn a_remembered_device_is_kept_while_it_is_listed() {
        let cameras = [
            device(DeviceKind::Camera, "a"),
            device(DeviceKind::Camera, "b"),
        ];
        assert_eq!(
            remembered(Some("b"), &cameras, DeviceKind::Camera).as_deref(),
            Some("b")
        );
        // Gone: the browser lists ids and "c" is not one.
        assert_eq!(remembered(Some("c"), &cameras, DeviceKind::Camera), None);
        // Before permission the ids are empty: keep the remembered one.
        let anonymous = [device(DeviceKind::Camera, "")];
        assert_eq!(
            remembered(Some("c"), &anonymous, DeviceKind::Camera).as_deref(),
            Some("c")
        );
        // Only devices of the same kind count.
        let mics = [device(DeviceKind::Microphone, "m")];
        assert_eq!(
            remembered(Some("c"), &mics, DeviceKind::Camera).as_deref(),
            Some("c")
        );
        assert_eq!(remembered(None, &cameras, DeviceKind::Camera), None);
        assert_eq!(remembered(Some(""), &cameras, DeviceKind::Camera), None);
    }

    #[test]
    fn labels_and_keys() {
        let unnamed = device(DeviceKind::Camera, "");
        assert_eq!(unnamed.display_label("Camera", 1), "Camera 2");
        let named = Device {
            label: "FaceTime HD".into(),
            ..unnamed
        };
        assert_eq!(named.display_label("Camera", 0), "FaceTime HD");
        assert_eq!(
            storage_key("main", DeviceKind::Microphone),
            "framewise.main.microphone"
        );
    }
}
