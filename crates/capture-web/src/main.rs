//! The playground's capture view, a wasm module of its own. trunk builds it
//! from index.html as a module nothing loads (`data-type="worker"`,
//! `data-bindgen-target="web"`: fixed file names, no script tag); the
//! playground `import()`s it when a capture is dropped or picked
//! (`crates/web/src/capture.rs`) and calls [`open_capture`]. Everything the
//! view says and draws comes from `farewell-capture-view`; this only puts it
//! on the page, reads the file in slices between which the browser runs, and
//! forwards clicks.
//!
//! The view is a `<div id="capture-view">` after the playground's `<main>`,
//! which is hidden meanwhile (`body.capture-open`), not unmounted: its
//! scenario stays as it was, and "Back" shows it again.

use farewell_capture_view::{self as view, ConnView, Loaded, Loading};
use farewell_engine::Platform;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

// SAFETY: the module runs on the browser's main thread only (no wasm
// threads, no shared memory), which is what `new_global` requires.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

fn main() {}

/// The open view.
struct Session {
    root: web_sys::Element,
    loaded: Option<Loaded>,
    shown: Option<ConnView>,
    _listeners: Vec<gloo_events::EventListener>,
}

thread_local! {
    /// The open view, if any; a newer one replaces it (and stops its reading).
    static SESSION: RefCell<Option<Rc<RefCell<Session>>>> = const { RefCell::new(None) };
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Opens the capture view on `file`.
#[wasm_bindgen]
pub fn open_capture(file: web_sys::File) {
    close();
    let Some(doc) = document() else { return };
    let (Some(body), Ok(root)) = (doc.body(), doc.create_element("div")) else {
        return;
    };
    if doc.get_element_by_id("capture-view-style").is_none() {
        if let (Ok(style), Some(head)) = (doc.create_element("style"), doc.head()) {
            style.set_id("capture-view-style");
            style.set_text_content(Some(view::CSS));
            let _ = head.append_child(&style);
        }
    }
    root.set_id("capture-view");
    let _ = body.append_child(&root);
    let _ = body.class_list().add_1("capture-open");
    let listeners = listen(&root);
    let session = Rc::new(RefCell::new(Session {
        root,
        loaded: None,
        shown: None,
        _listeners: listeners,
    }));
    SESSION.with(|s| *s.borrow_mut() = Some(session.clone()));
    wasm_bindgen_futures::spawn_local(read(file, session));
}

/// Whether `session` is still the open one (a newer file, or Back, ends it).
fn current(session: &Rc<RefCell<Session>>) -> bool {
    SESSION.with(|s| s.borrow().as_ref().is_some_and(|c| Rc::ptr_eq(c, session)))
}

/// Closes the view and shows the playground again, as it was.
fn close() {
    let Some(old) = SESSION.with(|s| s.borrow_mut().take()) else {
        return;
    };
    old.borrow().root.remove();
    if let Some(body) = document().and_then(|d| d.body()) {
        let _ = body.class_list().remove_1("capture-open");
    }
}

fn set_html(session: &Rc<RefCell<Session>>, html: &str) {
    session.borrow().root.set_inner_html(html);
}

/// Reads the file slice by slice (each `arrayBuffer()` lets the browser run
/// between slices), showing the progress, then the default connection.
async fn read(file: web_sys::File, session: Rc<RefCell<Session>>) {
    let mut loading = Loading::new(&file.name(), file.size());
    set_html(&session, &view::progress_html(&loading));
    while let Some((start, end)) = loading.next_slice() {
        let piece = match file.slice_with_f64_and_f64(start, end) {
            Ok(blob) => JsFuture::from(blob.array_buffer()).await,
            Err(e) => Err(e),
        };
        if !current(&session) {
            return;
        }
        let pushed = match piece {
            Ok(buf) => loading.push(&js_sys::Uint8Array::new(&buf).to_vec()),
            Err(e) => Err(format!(
                "The browser could not read the file ({}). {}",
                e.as_string().unwrap_or_else(|| "no reason given".into()),
                view::UNCHANGED
            )),
        };
        if let Err(message) = pushed {
            return set_html(&session, &view::message_html(&message));
        }
        set_html(&session, &view::progress_html(&loading));
    }
    match loading.finish() {
        Ok(loaded) => {
            let conn = loaded.default;
            session.borrow_mut().loaded = Some(loaded);
            show(&session, conn, None);
        }
        Err(message) => set_html(&session, &view::message_html(&message)),
    }
}

/// Shows connection `conn`, on `platform` (or the guessed one).
fn show(session: &Rc<RefCell<Session>>, conn: usize, platform: Option<Platform>) {
    let mut s = session.borrow_mut();
    let Some(loaded) = &s.loaded else { return };
    let html = match loaded.show(conn, platform) {
        Ok(v) => {
            let html = view::page_html(loaded, &v);
            s.shown = Some(v);
            html
        }
        Err(message) => view::message_html(&message),
    };
    // Not focused: focus() would lay the page out at once, in this task
    // (over 100 ms for a long connection); Back is the first control.
    s.root.set_inner_html(&html);
}

/// Clicks and changes in the view (delegated from its root), and keys: the
/// playground's shortcuts must not move its hidden playback; Escape goes back.
fn listen(root: &web_sys::Element) -> Vec<gloo_events::EventListener> {
    let click = gloo_events::EventListener::new(root, "click", |e| {
        let Some(target) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("[data-cv]").ok().flatten())
        else {
            return;
        };
        // Deferred: closing drops this very listener, which must not
        // happen while it runs.
        match target.get_attribute("data-cv").as_deref() {
            Some("back") => wasm_bindgen_futures::spawn_local(async { close() }),
            Some("replay") => wasm_bindgen_futures::spawn_local(async { replay() }),
            _ => {}
        }
    });
    let change = gloo_events::EventListener::new(root, "change", |e| {
        let Some(select) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        else {
            return;
        };
        let Some(session) = SESSION.with(|s| s.borrow().clone()) else {
            return;
        };
        let (conn, platform) = {
            let s = session.borrow();
            let Some(v) = &s.shown else { return };
            (v.index, v.platform)
        };
        match select.get_attribute("data-cv").as_deref() {
            Some("conn") => {
                if let Ok(i) = select.value().parse::<usize>() {
                    show(&session, i, None);
                }
            }
            Some("platform") => {
                let p = Platform::ALL
                    .into_iter()
                    .find(|p| p.id() == select.value())
                    .unwrap_or(platform);
                show(&session, conn, Some(p));
            }
            _ => {}
        }
    });
    let mut out = vec![click, change];
    if let Some(w) = web_sys::window() {
        // The playground's own drop target is hidden: a file dropped on the
        // view opens in it, rather than the browser leaving the page for it.
        let options = gloo_events::EventListenerOptions::enable_prevent_default();
        out.push(gloo_events::EventListener::new_with_options(
            &w,
            "dragover",
            options,
            |e| e.prevent_default(),
        ));
        out.push(gloo_events::EventListener::new_with_options(
            &w,
            "drop",
            options,
            |e| {
                e.prevent_default();
                let file = e
                    .dyn_ref::<web_sys::DragEvent>()
                    .and_then(|d| d.data_transfer())
                    .and_then(|d| d.files())
                    .and_then(|f| f.get(0));
                if let Some(file) = file {
                    // Deferred: opening drops this listener.
                    wasm_bindgen_futures::spawn_local(async move { open_capture(file) });
                }
            },
        ));
        let options = gloo_events::EventListenerOptions::run_in_capture_phase();
        out.push(gloo_events::EventListener::new_with_options(
            &w,
            "keydown",
            options,
            |e| {
                let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if k.key() == "Escape" {
                    wasm_bindgen_futures::spawn_local(async { close() });
                }
                // The view's own controls still work (their default actions
                // run); only the playground's window listener is kept out.
                e.stop_propagation();
            },
        ));
    }
    out
}

/// Hands the shown connection's scenario to the playground as a file picked
/// in its import input (so it takes the very path a scenario file takes:
/// read, validated, imported, or refused with a message), and goes back to
/// it.
fn replay() {
    let Some(session) = SESSION.with(|s| s.borrow().clone()) else {
        return;
    };
    let (json, number) = {
        let s = session.borrow();
        let Some(v) = &s.shown else { return };
        (v.replay_json.clone(), v.index + 1)
    };
    close();
    let _ = pick(&json, &format!("replay-of-connection-{number}.json"));
}

fn pick(json: &str, name: &str) -> Result<(), JsValue> {
    let input = document()
        .and_then(|d| d.query_selector("[data-testid=import]").ok().flatten())
        .ok_or("the playground has no import input")?
        .dyn_into::<web_sys::HtmlInputElement>()?;
    let parts = js_sys::Array::of1(&JsValue::from_str(json));
    let options = web_sys::FilePropertyBag::new();
    options.set_type("application/json");
    let file = web_sys::File::new_with_str_sequence_and_options(&parts, name, &options)?;
    let picked = web_sys::DataTransfer::new()?;
    picked.items().add_with_file(&file)?;
    input.set_files(picked.files().as_ref());
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init)?)?;
    Ok(())
}
