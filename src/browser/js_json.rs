//! [`Json`] for values from the browser: `JSON.parse` results and the
//! element's config object. Reads own properties only, so `constructor` or
//! `toString` from a prototype never count as members.

use crate::json::{FromJson, Json, Mismatch};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

impl Json for JsValue {
    fn member(&self, name: &str) -> Option<Self> {
        let object = self.dyn_ref::<Object>()?;
        let key = JsValue::from_str(name);
        if !Object::has_own(object, &key) {
            return None;
        }
        Reflect::get(object, &key).ok().filter(|v| !v.is_null() && !v.is_undefined())
    }

    fn names(&self) -> Option<Vec<String>> {
        // Arrays are objects to JS, never to JSON.
        if Array::is_array(self) {
            return None;
        }
        let object = self.dyn_ref::<Object>()?;
        Some(Object::keys(object).iter().filter_map(|k| k.as_string()).collect())
    }

    fn string(&self) -> Option<String> {
        self.as_string()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| Array::from(self).iter().collect())
    }
}

/// Parses `text` with the browser's `JSON.parse`; `None` if it is not JSON.
pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

/// Parses and decodes `text` as `T`.
pub fn decode<T: FromJson>(text: &str) -> Result<T, Mismatch> {
    T::from_json(&parse(text).ok_or(Mismatch)?)
}
