//! The capture view's Web Worker: this same module, started by the page
//! ([`crate::open_capture`]) from `farewell-capture-worker.mjs` (written by
//! `web/version-capture.mjs`), where it finds no window and serves the page
//! instead of drawing it. It reads the file, infers and lays out the
//! connection shown, so none of that runs on the page's main thread: the page
//! only puts the markup it is sent on the page.
//!
//! Messages are plain arrays (structured clone, which carries the `File`
//! itself; gloo-worker's messages are serde-encoded bytes, which cannot):
//!
//! * page → worker: `["open", file, dark]`, then `["show", conn, platform,
//!   dark]` (`platform` an id, or `""` for the one the SYN suggests; `dark`:
//!   the theme of the diagram's file);
//! * worker → page: `["ready"]` once it listens; `["progress", fraction,
//!   text]` at most every [`PROGRESS_MS`] while reading; `["page", html,
//!   replay_json, svg_file, svg_name, conn, platform, svg]` for a
//!   connection (the page puts the diagram, `svg`, in the page in a task
//!   after the rest);
//!   `["message", html]` when there is nothing to show.
//!
//! A newer file gets a new worker, and Back or Cancel ends this one
//! (`Worker.terminate`), so a reading in progress stops at once.

use farewell_capture_view::{self as view, Loaded, Loading};
use farewell_diagram::Theme;
use farewell_engine::Platform;
use js_sys::Array;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The least time between two progress reports.
pub const PROGRESS_MS: f64 = 100.0;

thread_local! {
    /// The capture read, for the connections and stacks picked later.
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(parts: &[JsValue]) {
    let _ = scope().post_message(&parts.iter().collect::<Array>());
}

fn now_ms() -> f64 {
    scope()
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Starts listening to the page (the module's entry point in the worker).
pub fn serve() {
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
            let m: Array = match e.data().dyn_into() {
                Ok(m) => m,
                Err(_) => return,
            };
            let dark = m.get(m.length().saturating_sub(1)).is_truthy();
            let theme = if dark { Theme::Dark } else { Theme::Light };
            match m.get(0).as_string().as_deref() {
                Some("open") => {
                    if let Ok(file) = m.get(1).dyn_into::<web_sys::File>() {
                        wasm_bindgen_futures::spawn_local(read(file, theme));
                    }
                }
                Some("show") => {
                    let conn = m.get(1).as_f64().unwrap_or(0.0) as usize;
                    let id = m.get(2).as_string().unwrap_or_default();
                    let platform = Platform::ALL.into_iter().find(|p| p.id() == id);
                    show(conn, platform, theme);
                }
                _ => {}
            }
        });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // It listens for the worker's whole life.
    on_message.forget();
    post(&["ready".into()]);
}

/// Reads the file slice by slice, reporting progress, then shows the default
/// connection.
async fn read(file: web_sys::File, theme: Theme) {
    let mut loading = Loading::new(&file.name(), file.size());
    let mut reported = f64::NEG_INFINITY;
    while let Some((start, end)) = loading.next_slice() {
        if now_ms() - reported >= PROGRESS_MS {
            reported = now_ms();
            post(&[
                "progress".into(),
                loading.fraction().into(),
                loading.progress_text().into(),
            ]);
        }
        let piece = match file.slice_with_f64_and_f64(start, end) {
            Ok(blob) => JsFuture::from(blob.array_buffer()).await,
            Err(e) => Err(e),
        };
        let pushed = match piece {
            Ok(buf) => loading.push(&js_sys::Uint8Array::new(&buf).to_vec()),
            Err(e) => Err(format!(
                "The browser could not read the file ({}). {}",
                e.as_string().unwrap_or_else(|| "no reason given".into()),
                view::UNCHANGED
            )),
        };
        if let Err(message) = pushed {
            return post(&["message".into(), view::message_html(&message).into()]);
        }
    }
    match loading.finish() {
        Ok(loaded) => {
            let conn = loaded.default;
            LOADED.with(|l| *l.borrow_mut() = Some(loaded));
            show(conn, None, theme);
        }
        Err(message) => post(&["message".into(), view::message_html(&message).into()]),
    }
}

/// Sends connection `conn` on `platform` (or the guessed one).
fn show(conn: usize, platform: Option<Platform>, theme: Theme) {
    LOADED.with(|l| {
        let l = l.borrow();
        let Some(loaded) = l.as_ref() else { return };
        match loaded.show(conn, platform) {
            Ok(v) => post(&[
                "page".into(),
                view::page_shell_html(loaded, &v).into(),
                v.replay_json.as_str().into(),
                v.file_svg(theme).into(),
                v.file_name.as_str().into(),
                (v.index as f64).into(),
                v.platform.id().into(),
                v.svg.as_str().into(),
            ]),
            Err(message) => post(&["message".into(), view::message_html(&message).into()]),
        }
    });
}
