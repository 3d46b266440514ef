//! [`ParamControls`]: a form drawn from a processor's param schema.
//!
//! One control per [`ParamSpec`]: a slider with a number box (and the
//! unit) for float and int params, a checkbox for bool, a select for a
//! choice, a colour picker for a colour. Every change is checked against
//! the schema before it is reported, as `{"name": value}`.
//!
//! The conversions between what an `<input>` holds and the JSON the schema
//! wants are plain functions ([`current`], [`from_input`], [`display`],
//! [`merge`]), tested natively.
//!
//! The component ships no CSS; style it through its classes: `fw-params`
//! (the list), `fw-param` (one row, plus `fw-param-<type>`), `fw-param-label`,
//! `fw-param-input`, `fw-param-unit`.

use framewise::{ParamKind, ParamSpec, ProcessorInfo};
use serde_json::{Map, Value};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Props of [`ParamControls`].
#[derive(Properties, PartialEq)]
pub struct ParamControlsProps {
    /// The processor whose params get a control each, in schema order.
    pub info: ProcessorInfo,
    /// The current values, a JSON object `{"name": value}`; a missing or
    /// invalid value shows the param's default.
    #[prop_or_default]
    pub values: Value,
    /// Called with `{"name": value}` each time the user changes a control
    /// to a valid value.
    pub on_change: Callback<Value>,
    /// Greys out every control.
    #[prop_or_default]
    pub disabled: bool,
    /// Each control's id is `{id_prefix}-{processor}-{param}`.
    #[prop_or(AttrValue::Static("fw"))]
    pub id_prefix: AttrValue,
}

/// A form with one control per param of `info`; see the [module
/// docs](self).
#[function_component]
pub fn ParamControls(props: &ParamControlsProps) -> Html {
    if props.info.params.is_empty() {
        return html! { <p class="fw-params fw-params-none">{ "No params." }</p> };
    }
    html! {
        <div class="fw-params">
            { for props.info.params.iter().map(|spec| control(props, spec)) }
        </div>
    }
}

/// The value `spec` should show: `values[name]` when valid, else the
/// default.
pub fn current(spec: &ParamSpec, values: &Value) -> Value {
    values
        .get(&spec.name)
        .and_then(|v| spec.parse(v).ok())
        .unwrap_or_else(|| spec.default.clone())
        .to_json()
}

/// The JSON value for what an input holds (`"1.5"`, `"#00ff88"`, `"l2"`,
/// `"true"`), or `None` if the schema rejects it.
pub fn from_input(spec: &ParamSpec, text: &str) -> Option<Value> {
    let text = text.trim();
    let raw = match spec.kind {
        ParamKind::Float { .. } => Value::from(text.parse::<f64>().ok()?),
        ParamKind::Int { .. } => {
            let number = text.parse::<f64>().ok()?.round();
            Value::from(number as i64)
        }
        ParamKind::Bool => Value::from(text.parse::<bool>().ok()?),
        ParamKind::Choice { .. } | ParamKind::Color => Value::from(text.to_ascii_lowercase()),
    };
    spec.parse(&raw).ok().map(|v| v.to_json())
}

/// How a value is written into an input: floats with as many decimals as
/// the step has, colours as `#rrggbb`.
pub fn display(spec: &ParamSpec, value: &Value) -> String {
    match (&spec.kind, value) {
        (ParamKind::Float { step, .. }, Value::Number(n)) => {
            format!("{:.*}", decimals(*step), n.as_f64().unwrap_or_default())
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// Merges the object `change` into the object `values` (replacing a
/// non-object `values`).
pub fn merge(values: &mut Value, change: &Value) {
    if !values.is_object() {
        *values = Value::Object(Map::new());
    }
    if let (Value::Object(values), Value::Object(change)) = (values, change) {
        for (name, value) in change {
            values.insert(name.clone(), value.clone());
        }
    }
}

/// Decimals needed to show multiples of `step` exactly (at most 6).
fn decimals(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-9
        })
        .unwrap_or(6)
}

/// `{"name": value}`.
fn change_of(spec: &ParamSpec, value: Value) -> Value {
    let mut change = Map::new();
    change.insert(spec.name.clone(), value);
    Value::Object(change)
}

/// A callback for an `<input>` event that reads the input's value.
fn on_text(props: &ParamControlsProps, spec: &ParamSpec) -> Callback<Event> {
    let (spec, on_change) = (spec.clone(), props.on_change.clone());
    Callback::from(move |event: Event| {
        let input: HtmlInputElement = event.target_unchecked_into();
        if let Some(value) = from_input(&spec, &input.value()) {
            on_change.emit(change_of(&spec, value));
        }
    })
}

fn control(props: &ParamControlsProps, spec: &ParamSpec) -> Html {
    let id = format!("{}-{}-{}", props.id_prefix, props.info.name, spec.name);
    let value = current(spec, &props.values);
    let text = display(spec, &value);
    let disabled = props.disabled;
    let unit = spec
        .unit
        .as_ref()
        .map(|u| html! { <span class="fw-param-unit">{ u.clone() }</span> });
    let (kind, input) = match &spec.kind {
        ParamKind::Float { min, max, step } => {
            let range = (min.to_string(), max.to_string(), step.to_string());
            (
                "float",
                number_input(props, spec, &id, &text, range, disabled),
            )
        }
        ParamKind::Int { min, max, step } => {
            let range = (min.to_string(), max.to_string(), step.to_string());
            (
                "int",
                number_input(props, spec, &id, &text, range, disabled),
            )
        }
        ParamKind::Bool => {
            let on_change = props.on_change.clone();
            let name = spec.clone();
            let onchange = Callback::from(move |event: Event| {
                let input: HtmlInputElement = event.target_unchecked_into();
                on_change.emit(change_of(&name, Value::Bool(input.checked())));
            });
            let checked = value.as_bool().unwrap_or_default();
            let input =
                html! { <input type="checkbox" id={id.clone()} {checked} {onchange} {disabled} /> };
            ("bool", input)
        }
        ParamKind::Choice { options } => {
            let (spec_owned, on_change) = (spec.clone(), props.on_change.clone());
            let onchange = Callback::from(move |event: Event| {
                let select: HtmlSelectElement = event.target_unchecked_into();
                if let Some(value) = from_input(&spec_owned, &select.value()) {
                    on_change.emit(change_of(&spec_owned, value));
                }
            });
            let input = html! {
                <select id={id.clone()} {onchange} {disabled}>
                    { for options.iter().map(|option| html! {
                        <option value={option.clone()} selected={*option == text}>
                            { option.clone() }
                        </option>
                    }) }
                </select>
            };
            ("choice", input)
        }
        ParamKind::Color => {
            let oninput = on_text(props, spec);
            let input = html! {
                <input type="color" id={id.clone()} value={text.clone()} onchange={oninput} {disabled} />
            };
            ("color", input)
        }
    };
    html! {
        <div class={classes!("fw-param", format!("fw-param-{kind}"))}>
            <label class="fw-param-label" for={id}>{ spec.label.clone() }</label>
            <div class="fw-param-input">{ input }{ for unit }</div>
        </div>
    }
}

/// A slider and a number box showing the same value.
fn number_input(
    props: &ParamControlsProps,
    spec: &ParamSpec,
    id: &str,
    text: &str,
    (min, max, step): (String, String, String),
    disabled: bool,
) -> Html {
    let oninput = {
        let on_text = on_text(props, spec);
        Callback::from(move |event: InputEvent| on_text.emit(event.into()))
    };
    let onchange = on_text(props, spec);
    html! {
        <>
            <input type="range" id={id.to_owned()} min={min.clone()} max={max.clone()}
                step={step.clone()} value={text.to_owned()} {oninput} {disabled} />
            <input type="number" class="fw-param-number" {min} {max} {step}
                value={text.to_owned()} {onchange} {disabled}
                aria-label={spec.label.clone()} />
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sigma() -> ParamSpec {
        ParamSpec::float("sigma", "Sigma", 0.1, 10.0, 0.1, 1.5).unit("px")
    }

    #[test]
    fn current_falls_back_to_the_default() {
        assert_eq!(current(&sigma(), &json!({})), json!(1.5));
        assert_eq!(current(&sigma(), &json!({"sigma": 3.0})), json!(3.0));
        assert_eq!(current(&sigma(), &json!({"sigma": 99.0})), json!(1.5));
        assert_eq!(current(&sigma(), &Value::Null), json!(1.5));
    }

    #[test]
    fn inputs_become_schema_values() {
        assert_eq!(from_input(&sigma(), " 2.5 "), Some(json!(2.5)));
        assert_eq!(from_input(&sigma(), "20"), None);
        assert_eq!(from_input(&sigma(), "abc"), None);
        let size = ParamSpec::int("size", "Size", 2, 64, 2, 8);
        assert_eq!(from_input(&size, "16"), Some(json!(16)));
        assert_eq!(from_input(&size, "15.6"), Some(json!(16)));
        assert_eq!(from_input(&size, "1"), None);
        let mode = ParamSpec::choice("norm", "Norm", &["l1", "l2"], "l1");
        assert_eq!(from_input(&mode, "l2"), Some(json!("l2")));
        assert_eq!(from_input(&mode, "l3"), None);
        let tint = ParamSpec::color("tint", "Tint", [0, 255, 0]);
        assert_eq!(from_input(&tint, "#FF0080"), Some(json!("#ff0080")));
        assert_eq!(from_input(&tint, "red"), None);
        let on = ParamSpec::bool("on", "On", false);
        assert_eq!(from_input(&on, "true"), Some(json!(true)));
    }

    #[test]
    fn floats_show_the_step_s_decimals() {
        assert_eq!(display(&sigma(), &json!(1.5)), "1.5");
        assert_eq!(display(&sigma(), &json!(2)), "2.0");
        let fine = ParamSpec::float("mix", "Mix", 0.0, 1.0, 0.01, 0.5);
        assert_eq!(display(&fine, &json!(0.25)), "0.25");
        let whole = ParamSpec::float("low", "Low", 0.0, 1000.0, 1.0, 100.0);
        assert_eq!(display(&whole, &json!(100.0)), "100");
        let tint = ParamSpec::color("tint", "Tint", [0, 255, 0]);
        assert_eq!(display(&tint, &json!("#00ff00")), "#00ff00");
    }

    #[test]
    fn merge_replaces_named_values_only() {
        let mut values = json!({"a": 1, "b": 2});
        merge(&mut values, &json!({"b": 3}));
        assert_eq!(values, json!({"a": 1, "b": 3}));
        let mut empty = Value::Null;
        merge(&mut empty, &json!({"x": true}));
        assert_eq!(empty, json!({"x": true}));
    }

    #[test]
    fn every_builtin_param_default_survives_its_input() {
        for info in framewise::Registry::with_builtins().infos() {
            for spec in &info.params {
                let default = spec.default.to_json();
                let shown = display(spec, &default);
                let back = from_input(spec, &shown);
                let what = format!("{}.{} shown as {shown:?}", info.name, spec.name);
                match (&spec.kind, back) {
                    // A float is shown to its step; it comes back within half a step.
                    (ParamKind::Float { step, .. }, Some(Value::Number(n))) => {
                        let error = (n.as_f64().unwrap() - default.as_f64().unwrap()).abs();
                        assert!(error <= step / 2.0 + 1e-9, "{what}");
                    }
                    (_, back) => assert_eq!(back, Some(default), "{what}"),
                }
            }
        }
    }
}
