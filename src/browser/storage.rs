//! The persisted attempt, in sessionStorage, so a reload or the redirect
//! mode's return resumes it. sessionStorage and not localStorage: an attempt
//! belongs to this tab's session, like the proxy's session cookie.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Reads the value under `key`; a missing or blocked storage reads as absent.
pub fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Writes `value` under `key`; quota or privacy-mode failures are ignored
/// (the attempt still works, it just does not survive a reload).
pub fn write(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Removes `key`.
pub fn clear(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

