//! Typed processor params: a schema each processor declares, values that
//! travel as JSON, and validation that names what is wrong.
//!
//! A UI draws one control per [`ParamSpec`]; the values it sends back are
//! checked against the schema by [`Params::apply`], which changes nothing
//! unless every value is valid.
//!
//! ```
//! use framewise::{ParamSpec, Params};
//! use serde_json::json;
//!
//! let schema = [ParamSpec::float("sigma", "Sigma", 0.1, 10.0, 0.1, 1.5).unit("px")];
//! let mut params = Params::defaults(&schema);
//! params.apply(&schema, &json!({ "sigma": 3.0 }))?;
//! assert_eq!(params.float("sigma")?, 3.0);
//! assert!(params.apply(&schema, &json!({ "sigma": 99.0 })).is_err());
//! assert_eq!(params.float("sigma")?, 3.0);
//! # Ok::<(), framewise::ParamError>(())
//! ```

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use serde_json::Value;

/// What kind of value a param holds, with its bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ParamKind {
    /// A real number in `min..=max`, shown with `step`.
    Float {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
        /// UI step.
        step: f64,
    },
    /// A whole number in `min..=max`, shown with `step`.
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
        /// UI step.
        step: i64,
    },
    /// On or off.
    Bool,
    /// One of a fixed list of strings.
    Choice {
        /// The allowed values.
        options: Vec<String>,
    },
    /// An sRGB colour, `"#rrggbb"` on the wire.
    Color,
}

/// One param's value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A real number.
    Float(f64),
    /// A whole number.
    Int(i64),
    /// On or off.
    Bool(bool),
    /// One of a choice's options.
    Choice(String),
    /// An sRGB colour.
    Color([u8; 3]),
}

impl ParamValue {
    /// The value as JSON, as it travels to and from a UI.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Float(v) => Value::from(*v),
            Self::Int(v) => Value::from(*v),
            Self::Bool(v) => Value::from(*v),
            Self::Choice(v) => Value::from(v.as_str()),
            Self::Color([r, g, b]) => Value::from(format!("#{r:02x}{g:02x}{b:02x}")),
        }
    }
}

impl Serialize for ParamValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// One param in a processor's schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSpec {
    /// Stable key, used in JSON.
    pub name: String,
    /// Human label for the control.
    pub label: String,
    /// Unit shown next to the value (`"px"`, `"dB"`, `"ms"`), if any.
    pub unit: Option<String>,
    /// The kind and bounds.
    #[serde(flatten)]
    pub kind: ParamKind,
    /// The value used when none is given.
    pub default: ParamValue,
}

impl ParamSpec {
    fn new(name: &str, label: &str, kind: ParamKind, default: ParamValue) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            unit: None,
            kind,
            default,
        }
    }

    /// A float param in `min..=max`.
    pub fn float(name: &str, label: &str, min: f64, max: f64, step: f64, default: f64) -> Self {
        Self::new(
            name,
            label,
            ParamKind::Float { min, max, step },
            ParamValue::Float(default),
        )
    }

    /// An integer param in `min..=max`.
    pub fn int(name: &str, label: &str, min: i64, max: i64, step: i64, default: i64) -> Self {
        Self::new(
            name,
            label,
            ParamKind::Int { min, max, step },
            ParamValue::Int(default),
        )
    }

    /// An on/off param.
    pub fn bool(name: &str, label: &str, default: bool) -> Self {
        Self::new(name, label, ParamKind::Bool, ParamValue::Bool(default))
    }

    /// A param that takes one of `options`; `default` should be one of them.
    pub fn choice(name: &str, label: &str, options: &[&str], default: &str) -> Self {
        let options = options.iter().map(|o| (*o).to_owned()).collect();
        Self::new(
            name,
            label,
            ParamKind::Choice { options },
            ParamValue::Choice(default.to_owned()),
        )
    }

    /// A colour param.
    pub fn color(name: &str, label: &str, default: [u8; 3]) -> Self {
        Self::new(name, label, ParamKind::Color, ParamValue::Color(default))
    }

    /// Sets the unit shown next to the value.
    pub fn unit(mut self, unit: &str) -> Self {
        self.unit = Some(unit.to_owned());
        self
    }

    /// Checks one JSON value against this spec.
    pub fn parse(&self, value: &Value) -> Result<ParamValue, ParamError> {
        let wrong_type = |expected: &'static str| ParamError::WrongType {
            name: self.name.clone(),
            expected,
            got: value.to_string(),
        };
        match &self.kind {
            ParamKind::Float { min, max, .. } => {
                let v = value.as_f64().ok_or_else(|| wrong_type("a number"))?;
                if !(v >= *min && v <= *max) {
                    return Err(self.out_of_range(v, *min, *max));
                }
                Ok(ParamValue::Float(v))
            }
            ParamKind::Int { min, max, .. } => {
                let v = value
                    .as_i64()
                    .or_else(|| {
                        value
                            .as_f64()
                            .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                            .map(|f| f as i64)
                    })
                    .ok_or_else(|| wrong_type("a whole number"))?;
                if v < *min || v > *max {
                    return Err(self.out_of_range(v as f64, *min as f64, *max as f64));
                }
                Ok(ParamValue::Int(v))
            }
            ParamKind::Bool => value
                .as_bool()
                .map(ParamValue::Bool)
                .ok_or_else(|| wrong_type("true or false")),
            ParamKind::Choice { options } => {
                let v = value.as_str().ok_or_else(|| wrong_type("a string"))?;
                if options.iter().any(|o| o == v) {
                    Ok(ParamValue::Choice(v.to_owned()))
                } else {
                    Err(ParamError::UnknownChoice {
                        name: self.name.clone(),
                        value: v.to_owned(),
                        options: options.join(", "),
                    })
                }
            }
            ParamKind::Color => {
                let v = value
                    .as_str()
                    .ok_or_else(|| wrong_type("a colour string \"#rrggbb\""))?;
                parse_color(v)
                    .map(ParamValue::Color)
                    .ok_or_else(|| ParamError::BadColor {
                        name: self.name.clone(),
                        value: v.to_owned(),
                    })
            }
        }
    }

    fn out_of_range(&self, value: f64, min: f64, max: f64) -> ParamError {
        ParamError::OutOfRange {
            name: self.name.clone(),
            value,
            min,
            max,
        }
    }
}

/// Parses `"#rrggbb"` (either case).
fn parse_color(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// What is wrong with a param value or name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// Params must be a JSON object of name → value.
    #[error("params must be a JSON object like {{\"name\": value}}, got {0}")]
    NotAnObject(String),
    /// A name the processor does not have.
    #[error("unknown param \"{name}\"; this processor has: {known}")]
    Unknown {
        /// The name given.
        name: String,
        /// The processor's param names, comma-separated.
        known: String,
    },
    /// A value of the wrong JSON type.
    #[error("param \"{name}\" must be {expected}, got {got}")]
    WrongType {
        /// The param.
        name: String,
        /// What the schema calls for.
        expected: &'static str,
        /// The JSON given.
        got: String,
    },
    /// A number outside the schema's range.
    #[error("param \"{name}\" is {value}, outside its range {min}..={max}")]
    OutOfRange {
        /// The param.
        name: String,
        /// The value given.
        value: f64,
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
    },
    /// A string that is not one of a choice's options.
    #[error("param \"{name}\" cannot be \"{value}\"; choose one of: {options}")]
    UnknownChoice {
        /// The param.
        name: String,
        /// The value given.
        value: String,
        /// The allowed values, comma-separated.
        options: String,
    },
    /// A colour that is not `"#rrggbb"`.
    #[error("param \"{name}\" is \"{value}\", not a colour like \"#00ff88\"")]
    BadColor {
        /// The param.
        name: String,
        /// The value given.
        value: String,
    },
    /// A processor asked for a param its schema lacks, or with the wrong type.
    #[error("processor reads param \"{name}\" as {expected}, which its schema does not declare")]
    Undeclared {
        /// The param.
        name: String,
        /// The type asked for.
        expected: &'static str,
    },
}

/// A complete, validated set of param values for one schema.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// Every param at its default.
    pub fn defaults(schema: &[ParamSpec]) -> Self {
        // Inserted one by one: `collect` into a map would sort, which
        // costs the wasm bundle a sort per key type.
        let mut values = BTreeMap::new();
        for spec in schema {
            values.insert(spec.name.clone(), spec.default.clone());
        }
        Self { values }
    }

    /// Validates `changes` (a JSON object with some or all params) against
    /// `schema` and applies them. On any error nothing changes.
    pub fn apply(&mut self, schema: &[ParamSpec], changes: &Value) -> Result<(), ParamError> {
        let object = match changes {
            Value::Object(object) => object,
            Value::Null => return Ok(()),
            other => return Err(ParamError::NotAnObject(other.to_string())),
        };
        let mut parsed = Vec::with_capacity(object.len());
        for (name, value) in object {
            let spec =
                schema
                    .iter()
                    .find(|s| &s.name == name)
                    .ok_or_else(|| ParamError::Unknown {
                        name: name.clone(),
                        known: if schema.is_empty() {
                            "no params".to_owned()
                        } else {
                            schema
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        },
                    })?;
            parsed.push((name.clone(), spec.parse(value)?));
        }
        self.values.extend(parsed);
        Ok(())
    }

    /// All values as a JSON object.
    pub fn to_json(&self) -> Value {
        let mut object = serde_json::Map::new();
        for (name, value) in &self.values {
            object.insert(name.clone(), value.to_json());
        }
        Value::Object(object)
    }

    fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    fn undeclared(name: &str, expected: &'static str) -> ParamError {
        ParamError::Undeclared {
            name: name.to_owned(),
            expected,
        }
    }

    /// A float param (an int param is widened).
    pub fn float(&self, name: &str) -> Result<f64, ParamError> {
        match self.get(name) {
            Some(ParamValue::Float(v)) => Ok(*v),
            Some(ParamValue::Int(v)) => Ok(*v as f64),
            _ => Err(Self::undeclared(name, "a float")),
        }
    }

    /// An int param.
    pub fn int(&self, name: &str) -> Result<i64, ParamError> {
        match self.get(name) {
            Some(ParamValue::Int(v)) => Ok(*v),
            _ => Err(Self::undeclared(name, "an int")),
        }
    }

    /// A bool param.
    pub fn bool(&self, name: &str) -> Result<bool, ParamError> {
        match self.get(name) {
            Some(ParamValue::Bool(v)) => Ok(*v),
            _ => Err(Self::undeclared(name, "a bool")),
        }
    }

    /// A choice param's selected option.
    pub fn choice(&self, name: &str) -> Result<&str, ParamError> {
        match self.get(name) {
            Some(ParamValue::Choice(v)) => Ok(v),
            _ => Err(Self::undeclared(name, "a choice")),
        }
    }

    /// A colour param as `[r, g, b]`.
    pub fn color(&self, name: &str) -> Result<[u8; 3], ParamError> {
        match self.get(name) {
            Some(ParamValue::Color(v)) => Ok(*v),
            _ => Err(Self::undeclared(name, "a colour")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Vec<ParamSpec> {
        vec![
            ParamSpec::float("sigma", "Sigma", 0.5, 5.0, 0.1, 1.5),
            ParamSpec::int("size", "Size", 2, 64, 1, 8),
            ParamSpec::bool("on", "On", true),
            ParamSpec::choice("mode", "Mode", &["a", "b"], "a"),
            ParamSpec::color("tint", "Tint", [0, 255, 0]),
        ]
    }

    #[test]
    fn defaults_fill_every_param() {
        let p = Params::defaults(&schema());
        assert_eq!(p.float("sigma"), Ok(1.5));
        assert_eq!(p.int("size"), Ok(8));
        assert_eq!(p.bool("on"), Ok(true));
        assert_eq!(p.choice("mode"), Ok("a"));
        assert_eq!(p.color("tint"), Ok([0, 255, 0]));
        assert_eq!(
            p.to_json(),
            json!({"sigma": 1.5, "size": 8, "on": true, "mode": "a", "tint": "#00ff00"})
        );
    }

    #[test]
    fn valid_changes_apply() {
        let mut p = Params::defaults(&schema());
        p.apply(
            &schema(),
            &json!({"sigma": 2, "size": 16.0, "on": false, "mode": "b", "tint": "#FF0080"}),
        )
        .unwrap();
        assert_eq!(p.float("sigma"), Ok(2.0));
        assert_eq!(p.int("size"), Ok(16));
        assert_eq!(p.bool("on"), Ok(false));
        assert_eq!(p.choice("mode"), Ok("b"));
        assert_eq!(p.color("tint"), Ok([255, 0, 128]));
    }

    #[test]
    fn each_bad_value_is_named_and_changes_nothing() {
        let cases = [
            (json!([1]), "JSON object"),
            (
                json!({"nope": 1}),
                "unknown param \"nope\"; this processor has: sigma, size, on, mode, tint",
            ),
            (json!({"sigma": "x"}), "\"sigma\" must be a number"),
            (json!({"sigma": 9.0}), "outside its range 0.5..=5"),
            (json!({"size": 2.5}), "must be a whole number"),
            (json!({"size": 65}), "\"size\" is 65, outside"),
            (json!({"on": 1}), "true or false"),
            (json!({"mode": "c"}), "choose one of: a, b"),
            (json!({"tint": "green"}), "not a colour"),
            (json!({"tint": "#12345"}), "not a colour"),
            (json!({"sigma": 2.0, "size": 1000}), "\"size\" is 1000"),
        ];
        for (input, message) in cases {
            let mut p = Params::defaults(&schema());
            let err = p.apply(&schema(), &input).unwrap_err().to_string();
            assert!(err.contains(message), "{input}: {err}");
            assert_eq!(p, Params::defaults(&schema()), "{input} changed params");
        }
    }

    #[test]
    fn getters_reject_undeclared_names_and_types() {
        let p = Params::defaults(&schema());
        assert!(p.float("missing").is_err());
        assert!(p.int("sigma").is_err());
        assert!(p.bool("mode").is_err());
        assert_eq!(p.float("size"), Ok(8.0));
    }

    #[test]
    fn schema_serializes_for_a_ui() {
        let json = serde_json::to_value(&schema()[0]).unwrap();
        assert_eq!(json["type"], "float");
        assert_eq!(json["min"], 0.5);
        assert_eq!(json["default"], 1.5);
        assert_eq!(json["label"], "Sigma");
    }
}
