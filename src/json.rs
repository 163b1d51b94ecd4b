//! Reading JSON without serde's `Deserialize`.
//!
//! The browser parses JSON itself (`JSON.parse`); what is left is picking
//! the documented fields out of the result. serde's derive does that through
//! generic visitors whose code, with the float formatting its error messages
//! pull in, was a sixth of the shipped wasm (24 KB of 144 KB gzip). The
//! decoders in this crate are plain functions over [`Json`], a read-only view
//! of a parsed value: the browser shell implements it for `JsValue`, the
//! native tests for `serde_json::Value`, so every decoder is tested natively.
//!
//! The rules every decoder follows:
//! - a missing member and `null` are the same: absent;
//! - unknown members are ignored (Layers adds fields without notice);
//! - a member that is present with another type than documented is a
//!   [`Mismatch`], so a body that breaks the contract is reported as such
//!   rather than half-read.

/// A parsed JSON value, read-only.
pub trait Json: Sized {
    /// Member `name` of an object: `None` when this is not an object, or the
    /// member is absent or `null`. Inherited properties are not members.
    fn member(&self, name: &str) -> Option<Self>;
    /// The names of an object's own members; `None` when this is not an object.
    fn names(&self) -> Option<Vec<String>>;
    /// The string this is, if it is one.
    fn string(&self) -> Option<String>;
    /// The boolean this is, if it is one.
    fn boolean(&self) -> Option<bool>;
    /// The number this is, if it is one.
    fn number(&self) -> Option<f64>;
    /// The items of an array; `None` when this is not an array.
    fn items(&self) -> Option<Vec<Self>>;
}

/// A value was present but not of the documented shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mismatch;

/// Decoding from a parsed JSON value.
pub trait FromJson: Sized {
    /// Reads `Self` from `value`, or says it is not the documented shape.
    fn from_json<J: Json>(value: &J) -> Result<Self, Mismatch>;
}

/// An optional string member.
pub fn opt_string<J: Json>(object: &J, name: &str) -> Result<Option<String>, Mismatch> {
    object.member(name).map(|v| v.string().ok_or(Mismatch)).transpose()
}

/// A string member that must be there.
pub fn string<J: Json>(object: &J, name: &str) -> Result<String, Mismatch> {
    opt_string(object, name)?.ok_or(Mismatch)
}

/// An optional boolean member.
pub fn opt_bool<J: Json>(object: &J, name: &str) -> Result<Option<bool>, Mismatch> {
    object.member(name).map(|v| v.boolean().ok_or(Mismatch)).transpose()
}

/// An optional number member that must be a whole number from 0 to 2^53.
pub fn opt_u64<J: Json>(object: &J, name: &str) -> Result<Option<u64>, Mismatch> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    object
        .member(name)
        .map(|v| match v.number() {
            Some(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) => Ok(n as u64),
            _ => Err(Mismatch),
        })
        .transpose()
}

/// An optional array of strings.
pub fn opt_strings<J: Json>(object: &J, name: &str) -> Result<Option<Vec<String>>, Mismatch> {
    object.member(name).map(|v| v.items().ok_or(Mismatch)?.iter().map(|s| s.string().ok_or(Mismatch)).collect()).transpose()
}

/// An optional member decoded as `T`.
pub fn opt<T: FromJson, J: Json>(object: &J, name: &str) -> Result<Option<T>, Mismatch> {
    object.member(name).map(|v| T::from_json(&v)).transpose()
}

/// Checks that `value` is an object (a decoder's first step: `"x"` or `[]`
/// is never a documented body, even if every member is optional).
pub fn object<J: Json>(value: &J) -> Result<(), Mismatch> {
    value.names().map(|_| ()).ok_or(Mismatch)
}

#[cfg(test)]
impl Json for serde_json::Value {
    fn member(&self, name: &str) -> Option<Self> {
        self.as_object()?.get(name).filter(|v| !v.is_null()).cloned()
    }
    fn names(&self) -> Option<Vec<String>> {
        Some(self.as_object()?.keys().cloned().collect())
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
}

/// Parses `text` with serde_json and decodes it: the tests' stand-in for
/// the browser's `JSON.parse` plus [`FromJson`].
#[cfg(test)]
pub fn parse<T: FromJson>(text: &str) -> Result<T, Mismatch> {
    T::from_json(&serde_json::from_str::<serde_json::Value>(text).map_err(|_| Mismatch)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_and_null_are_the_same_and_wrong_types_are_mismatches() {
        let v = json!({"a": "x", "n": null, "b": true, "num": 7, "list": ["p", "q"], "mixed": ["p", 1]});
        assert_eq!(opt_string(&v, "a"), Ok(Some("x".into())));
        assert_eq!(opt_string(&v, "n"), Ok(None));
        assert_eq!(opt_string(&v, "missing"), Ok(None));
        assert_eq!(opt_string(&v, "b"), Err(Mismatch));
        assert_eq!(string(&v, "missing"), Err(Mismatch));
        assert_eq!(opt_bool(&v, "b"), Ok(Some(true)));
        assert_eq!(opt_bool(&v, "a"), Err(Mismatch));
        assert_eq!(opt_strings(&v, "list"), Ok(Some(vec!["p".into(), "q".into()])));
        assert_eq!(opt_strings(&v, "mixed"), Err(Mismatch));
        assert_eq!(opt_strings(&v, "a"), Err(Mismatch));
        assert_eq!(opt_u64(&v, "num"), Ok(Some(7)));
    }

    #[test]
    fn whole_numbers_only() {
        for bad in [json!({"t": 1.5}), json!({"t": -1}), json!({"t": 1e300}), json!({"t": "1"})] {
            assert_eq!(opt_u64(&bad, "t"), Err(Mismatch), "{bad}");
        }
        assert_eq!(opt_u64(&json!({"t": 1776539531000u64}), "t"), Ok(Some(1776539531000)));
    }

    #[test]
    fn only_objects_have_members() {
        assert_eq!(object(&json!({})), Ok(()));
        for not in [json!([]), json!("x"), json!(1), json!(null)] {
            assert_eq!(object(&not), Err(Mismatch), "{not}");
            assert_eq!(opt_string(&not, "a"), Ok(None));
        }
    }
}
