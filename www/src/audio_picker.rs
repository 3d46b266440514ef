//! The Camera tab's audio processor: none (the microphone passes through
//! unprocessed) or one of the built-in audio processors, with its
//! controls. The chosen one runs on the microphone beside the video
//! processor, in the worklet or on the server as the placement says.

use framewise::ProcessorInfo;
use framewise_yew::controls::merge;
use framewise_yew::ParamControls;
use serde_json::{Map, Value};
use yew::prelude::*;

/// The chosen audio processor and its params.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudioChoice {
    /// Its name, or `None` for the microphone as it is.
    pub processor: Option<String>,
    /// Its params, `{"name": value}` (empty: defaults).
    pub params: Value,
}

impl AudioChoice {
    /// `processor` with its defaults (a new pick forgets the old params,
    /// which may not fit it).
    pub fn pick(processor: Option<String>) -> Self {
        Self {
            processor,
            params: Value::Object(Map::new()),
        }
    }

    /// The same processor with `change` merged into its params.
    pub fn changed(&self, change: &Value) -> Self {
        let mut next = self.clone();
        merge(&mut next.params, change);
        next
    }
}

/// Props of [`AudioPicker`].
#[derive(Properties, PartialEq)]
pub struct AudioPickerProps {
    /// The audio processors to offer.
    pub infos: Vec<ProcessorInfo>,
    /// What is chosen now.
    pub choice: AudioChoice,
    /// A new choice or new params.
    pub on_choice: Callback<AudioChoice>,
}

/// A `<select>` of audio processors and the chosen one's controls.
#[function_component]
pub fn AudioPicker(props: &AudioPickerProps) -> Html {
    let onchange = {
        let on_choice = props.on_choice.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let value = select.value();
            on_choice.emit(AudioChoice::pick((!value.is_empty()).then_some(value)));
        })
    };
    let chosen = props.choice.processor.as_deref();
    let controls = chosen
        .and_then(|name| props.infos.iter().find(|info| info.name == name))
        .map(|info| {
            let on_change = {
                let (choice, on_choice) = (props.choice.clone(), props.on_choice.clone());
                Callback::from(move |change: Value| on_choice.emit(choice.changed(&change)))
            };
            html! {
                <ParamControls info={info.clone()} values={props.choice.params.clone()} {on_change}
                    id_prefix="camera-audio" />
            }
        });
    html! {
        <div class="audio-picker">
            <label>
                { "Audio processor " }
                <select class="audio-processor" {onchange}>
                    <option value="" selected={chosen.is_none()}>{ "none (unprocessed)" }</option>
                    { for props.infos.iter().map(|info| html! {
                        <option value={info.name.clone()} selected={chosen == Some(info.name.as_str())}>
                            { &info.name }
                        </option>
                    }) }
                </select>
            </label>
            { for controls }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_new_pick_forgets_the_params_and_a_change_merges() {
        let gain = AudioChoice::pick(Some("gain".into())).changed(&json!({"gain_db": -6.0}));
        assert_eq!(gain.params, json!({"gain_db": -6.0}));
        let louder = gain.changed(&json!({"gain_db": 3.0}));
        assert_eq!(louder.params, json!({"gain_db": 3.0}));
        let delay = AudioChoice::pick(Some("delay".into()));
        assert_eq!(delay.params, json!({}));
        assert_eq!(AudioChoice::pick(None).processor, None);
    }
}
