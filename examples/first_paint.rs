//! Writes the custom element's first screens, rendered by the Leptos view
//! on the server, as a JS module (`dist/templates.js`; see
//! `src/ui/first_paint.rs`). Run by scripts/build-widget.sh:
//!
//! ```sh
//! cargo run --features ssr --example first_paint -- dist/templates.js
//! ```

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: first_paint OUTPUT.js");
        std::process::exit(2);
    };
    if let Err(e) = std::fs::write(&path, layers_connect::ui::element_templates()) {
        eprintln!("first_paint: cannot write {path}: {e}");
        std::process::exit(1);
    }
}
