//! The playground's capture view, a wasm module of its own. trunk builds it
//! from index.html as a module nothing loads (`data-type="worker"`,
//! `data-bindgen-target="web"`: fixed file names, no script tag); the
//! playground `import()`s it when a capture is dropped or picked
//! (`crates/web/src/capture.rs`) and calls [`open_capture`]. Everything the
//! view says and draws comes from `farewell-capture-view`.
//!
//! The same module is the view's Web Worker ([`worker`]): the page starts it
//! for each file and hands it the file; it reads the file, infers and lays
//! out the connection, and sends the markup back. The page's main thread
//! only puts that markup on the page, moves the progress bar and forwards
//! clicks, so a capture of any size never holds it up. Back and Cancel end
//! the worker, which stops a reading at once.
//!
//! The view is a `<div id="capture-view">` after the playground's `<main>`,
//! which is hidden meanwhile (`body.capture-open`), not unmounted: its
//! scenario stays as it was, and "Back" shows it again.

mod worker;

use farewell_capture_view as view;
use farewell_engine::Platform;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// SAFETY: each instance of the module (the page's, the worker's) runs on its
// own thread with its own memory (no wasm threads, no shared memory), which
// is what `new_global` requires.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

/// On the page nothing happens until [`open_capture`]; in the worker (no
/// window) it serves the page.
fn main() {
    if web_sys::window().is_none() {
        worker::serve();
    }
}

/// What the page keeps of the connection shown (the worker has the rest).
struct Shown {
    conn: usize,
    platform: Platform,
    replay_json: String,
    svg_file: String,
    svg_name: String,
}

/// The open view.
struct Session {
    root: web_sys::Element,
    /// `None` when the browser would not start it (the view says so).
    worker: Option<web_sys::Worker>,
    /// The worker's script, for another file dropped on the view.
    worker_url: String,
    shown: Option<Shown>,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    _on_error: Option<Closure<dyn FnMut(web_sys::Event)>>,
    _listeners: Vec<gloo_events::EventListener>,
}

thread_local! {
    /// The open view, if any; a newer one replaces it (and ends its worker).
    static SESSION: RefCell<Option<Rc<RefCell<Session>>>> = const { RefCell::new(None) };
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Whether the page is drawn dark: the playground's choice on
/// `<html data-theme>`, else the system's.
fn dark() -> bool {
    let chosen = document()
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-theme"));
    match chosen.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}

/// Opens the capture view on `file`, read by a worker started from
/// `worker_url` (this module's worker script, with the build's version).
#[wasm_bindgen]
pub fn open_capture(file: web_sys::File, worker_url: &str) {
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
    // The landmark while the playground's own <main> is hidden.
    let _ = root.set_attribute("role", "main");
    root.set_inner_html(&view::progress_start_html(&file.name(), file.size()));
    let _ = body.append_child(&root);
    let _ = body.class_list().add_1("capture-open");
    let listeners = listen(&root);
    let mut session = Session {
        root: root.clone(),
        worker: None,
        worker_url: worker_url.to_string(),
        shown: None,
        _on_message: None,
        _on_error: None,
        _listeners: listeners,
    };
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    match web_sys::Worker::new_with_options(worker_url, &options) {
        Ok(worker) => {
            let on_message = {
                let (file, worker) = (file.clone(), worker.clone());
                Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                    received(e.data(), &file, &worker)
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            // A worker that cannot load (its script or the wasm refused,
            // say) says so with an error event and never answers.
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                e.prevent_default();
                let why = e
                    .dyn_ref::<web_sys::ErrorEvent>()
                    .map(|e| e.message())
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "it did not start".into());
                root.set_inner_html(&view::message_html(&format!(
                    "The capture view's worker failed ({why}). {}",
                    view::UNCHANGED
                )));
            });
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            session.worker = Some(worker);
            session._on_message = Some(on_message);
            session._on_error = Some(on_error);
        }
        Err(e) => root.set_inner_html(&view::message_html(&format!(
            "The browser could not start the capture view's worker ({}). {}",
            e.as_string().unwrap_or_else(|| "no reason given".into()),
            view::UNCHANGED
        ))),
    }
    SESSION.with(|s| *s.borrow_mut() = Some(Rc::new(RefCell::new(session))));
}

/// A message from the worker (`worker`'s list of them).
fn received(m: JsValue, file: &web_sys::File, worker: &web_sys::Worker) {
    let Ok(m) = m.dyn_into::<js_sys::Array>() else {
        return;
    };
    let Some(session) = SESSION.with(|s| s.borrow().clone()) else {
        return;
    };
    let text = |i: u32| m.get(i).as_string().unwrap_or_default();
    match text(0).as_str() {
        "ready" => {
            let open = js_sys::Array::of3(&"open".into(), file, &dark().into());
            let _ = worker.post_message(&open);
        }
        "progress" => {
            let root = session.borrow().root.clone();
            if let Ok(Some(bar)) = root.query_selector("[data-testid=capture-progress]") {
                let _ =
                    bar.set_attribute("value", &format!("{:.3}", m.get(1).as_f64().unwrap_or(0.0)));
            }
            if let Ok(Some(p)) = root.query_selector("[data-testid=capture-progress-text]") {
                p.set_text_content(Some(&text(2)));
            }
        }
        "page" => {
            let mut s = session.borrow_mut();
            // Not focused: focus() would lay the page out at once, in this
            // task; Back is the first control.
            s.root.set_inner_html(&text(1));
            let conn = m.get(5).as_f64().unwrap_or(0.0) as usize;
            let id = text(6);
            let platform = Platform::ALL
                .into_iter()
                .find(|p| p.id() == id)
                .unwrap_or(Platform::Linux);
            s.shown = Some(Shown {
                conn,
                platform,
                replay_json: text(2),
                svg_file: text(3),
                svg_name: text(4),
            });
            // The diagram after the page has drawn the rest, so that no task
            // styles and lays out both (`page_shell_html`).
            let svg = text(7);
            let root = s.root.clone();
            after_next_frame(move || {
                if !SESSION.with(|s| s.borrow().as_ref().is_some_and(|s| s.borrow().root == root)) {
                    return;
                }
                if let Ok(Some(d)) = root.query_selector("[data-testid=capture-diagram]") {
                    d.set_inner_html(&svg);
                    let _ = d.set_attribute("aria-busy", "false");
                }
            });
        }
        "message" => {
            let mut s = session.borrow_mut();
            s.root.set_inner_html(&text(1));
            s.shown = None;
        }
        _ => {}
    }
}

/// Asks the worker for connection `conn` on `platform` (`None`: the guess).
fn request(session: &Rc<RefCell<Session>>, conn: usize, platform: Option<Platform>) {
    let s = session.borrow();
    if let Ok(Some(section)) = s.root.query_selector("section.cv") {
        let _ = section.set_attribute("aria-busy", "true");
    }
    let parts = js_sys::Array::new();
    parts.push(&"show".into());
    parts.push(&(conn as f64).into());
    parts.push(&platform.map_or("", |p| p.id()).into());
    parts.push(&dark().into());
    if let Some(w) = &s.worker {
        let _ = w.post_message(&parts);
    }
}

/// Closes the view (ending its worker) and shows the playground again, as
/// it was.
fn close() {
    let Some(old) = SESSION.with(|s| s.borrow_mut().take()) else {
        return;
    };
    let old = old.borrow();
    // Its handlers go with it: a message already queued must find none
    // rather than a dropped closure.
    if let Some(w) = &old.worker {
        w.set_onmessage(None);
        w.set_onerror(None);
        w.terminate();
    }
    old.root.remove();
    if let Some(body) = document().and_then(|d| d.body()) {
        let _ = body.class_list().remove_1("capture-open");
    }
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
            Some("back" | "cancel") => wasm_bindgen_futures::spawn_local(async { close() }),
            Some("replay") => wasm_bindgen_futures::spawn_local(async { replay() }),
            Some("svg") => download_svg(),
            _ => {}
        }
    });
    let change = gloo_events::EventListener::new(root, "change", |e| {
        let Some(target) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let value = if let Some(select) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
            select.value()
        } else if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
            input.value()
        } else {
            return;
        };
        let Some(session) = SESSION.with(|s| s.borrow().clone()) else {
            return;
        };
        let (conn, platform) = {
            let s = session.borrow();
            let Some(v) = &s.shown else { return };
            (v.conn, v.platform)
        };
        match target.get_attribute("data-cv").as_deref() {
            Some("conn") => {
                if let Ok(i) = value.parse::<usize>() {
                    request(&session, i, None);
                }
            }
            // 1-based, as the list numbers them.
            Some("conn-number") => {
                let max = target
                    .get_attribute("max")
                    .and_then(|m| m.parse::<usize>().ok())
                    .unwrap_or(0);
                match value.trim().parse::<usize>() {
                    Ok(n @ 1..) if n <= max => request(&session, n - 1, None),
                    // Out of range: the field shows itself invalid (min,
                    // max), and the view stays as it is.
                    _ => {}
                }
            }
            Some("platform") => {
                let p = Platform::ALL
                    .into_iter()
                    .find(|p| p.id() == value)
                    .unwrap_or(platform);
                request(&session, conn, Some(p));
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
                let url =
                    SESSION.with(|s| s.borrow().as_ref().map(|s| s.borrow().worker_url.clone()));
                if let (Some(file), Some(url)) = (file, url) {
                    // Deferred: opening drops this listener.
                    wasm_bindgen_futures::spawn_local(async move { open_capture(file, &url) });
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
        (v.replay_json.clone(), v.conn + 1)
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

/// Offers the shown connection's diagram as an SVG file (the worker drew it
/// in the page's theme).
fn download_svg() {
    let Some(session) = SESSION.with(|s| s.borrow().clone()) else {
        return;
    };
    let s = session.borrow();
    let Some(v) = &s.shown else { return };
    let _ = save(&v.svg_file, "image/svg+xml", &v.svg_name);
}

fn save(text: &str, mime: &str, name: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document()
        .ok_or("no document")?
        .create_element("a")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}

/// Runs `f` in a task after the next frame is drawn.
fn after_next_frame(f: impl FnOnce() + 'static) {
    let Some(w) = web_sys::window() else { return };
    let task = Closure::once_into_js(f);
    let frame = Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(task.unchecked_ref());
        }
    });
    let _ = w.request_animation_frame(frame.unchecked_ref());
}
