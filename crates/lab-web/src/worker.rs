//! The lab's runs in a Web Worker, so the page's main thread only draws
//! progress and results.
//!
//! The page sends a [`Job`] (`crate::wire`): a generation number and the
//! configs to run (the run itself, then each remedy). The worker runs them
//! with [`farewell_lab_view::runner::Runner`], the same steps as
//! `farewell lab`, in slices of at most [`SLICE_MS`]; between slices it
//! returns to its event loop, so a newer job (a newer generation) that
//! arrived meanwhile replaces the older one at once. It answers with
//! [`Report`]s: progress with the seconds replayed since the last report,
//! the finished run, and each remedy's summary.
//!
//! Messages are `postMessage`d as bytes (`crate::wire`, bincode's format;
//! the buffer is transferred, not copied). The worker is this same module,
//! started by a small loader script; since its message handler exists only
//! once the module has started, it first posts an empty message, and the
//! page holds its jobs until then ([`Bridge`]). (gloo-worker did the same,
//! with bincode and serde for its envelope; the lab's own code is 20 KB
//! smaller.)

use crate::wire::{Job, Report};
use farewell_lab_view::knobs::from_fragment;
use farewell_lab_view::runner::Runner;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The longest stretch of work between two returns to the worker's event
/// loop: how long a newer job may wait before it replaces the current one.
const SLICE_MS: f64 = 20.0;

/// The least time between two progress reports (each one redraws the chart on
/// the page).
const REPORT_MS: f64 = 250.0;

/// `bytes` as a message: an ArrayBuffer, transferred.
fn post(bytes: &[u8], to: impl FnOnce(&JsValue, &js_sys::Array) -> Result<(), JsValue>) {
    let array = js_sys::Uint8Array::from(bytes);
    let buffer = array.buffer();
    let _ = to(&buffer, &js_sys::Array::of1(&buffer));
}

/// A message's bytes (an ArrayBuffer; anything else is no bytes).
fn bytes_of(data: &JsValue) -> Vec<u8> {
    match data.dyn_ref::<js_sys::ArrayBuffer>() {
        Some(b) => js_sys::Uint8Array::new(b).to_vec(),
        None => Vec::new(),
    }
}

fn now_ms() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Resolves on the event loop's next turn, after messages already queued
/// (a MessageChannel message: unlike `setTimeout(0)`, not clamped to 4 ms).
async fn next_turn() {
    let Ok(channel) = web_sys::MessageChannel::new() else {
        return;
    };
    let port = channel.port1();
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        port.set_onmessage(Some(resolve.unchecked_ref()));
    });
    let _ = channel.port2().post_message(&JsValue::NULL);
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    port.set_onmessage(None);
}

struct Current {
    generation: u32,
    configs: Vec<String>,
    /// Index into `configs` of the run under way.
    index: usize,
    runner: Option<Runner>,
    /// Rows already sent for the main run.
    sent: usize,
    last_report: f64,
}

/// The worker's state: the job under way, and where its reports go.
struct LabWorker {
    current: Option<Current>,
    /// A slice is scheduled (one at a time).
    ticking: bool,
    respond: Box<dyn Fn(Report)>,
}

type Shared = Rc<RefCell<LabWorker>>;

/// Schedules the next slice, unless one is scheduled or there is no work.
fn schedule(worker: &Shared) {
    {
        let mut w = worker.borrow_mut();
        if w.ticking || w.current.is_none() {
            return;
        }
        w.ticking = true;
    }
    let worker = worker.clone();
    wasm_bindgen_futures::spawn_local(async move {
        next_turn().await;
        {
            let mut w = worker.borrow_mut();
            w.ticking = false;
            if !w.slice() {
                w.current = None;
            }
        }
        schedule(&worker);
    });
}

impl LabWorker {
    /// A newer job replaces whatever was under way.
    fn received(&mut self, job: Job) {
        self.current = Some(Current {
            generation: job.generation,
            configs: job.configs,
            index: 0,
            runner: None,
            sent: 0,
            last_report: f64::NEG_INFINITY,
        });
    }

    /// One slice of work on the current job; `false` once it is finished.
    fn slice(&mut self) -> bool {
        let respond = &self.respond;
        let Some(c) = self.current.as_mut() else {
            return false;
        };
        let start = now_ms();
        loop {
            let Some(text) = c.configs.get(c.index) else {
                return false;
            };
            let runner = match &mut c.runner {
                Some(r) => r,
                None => {
                    let made = from_fragment(text)
                        .map_err(|e| e.to_string())
                        .and_then(|cfg| Runner::new(&cfg).map_err(|e| e.to_string()));
                    match made {
                        Ok(r) => c.runner.insert(r),
                        Err(message) => {
                            respond(Report::Refused {
                                generation: c.generation,
                                message,
                            });
                            return false;
                        }
                    }
                }
            };
            let mut more = true;
            while more && now_ms() - start < SLICE_MS {
                more = runner.step();
            }
            if more {
                if c.index == 0 && now_ms() - c.last_report >= REPORT_MS {
                    c.last_report = now_ms();
                    let rows = runner.rows()[c.sent..].to_vec();
                    c.sent += rows.len();
                    let p = runner.progress();
                    respond(Report::Progress {
                        generation: c.generation,
                        fraction: p.fraction,
                        label: p.label,
                        rows,
                    });
                }
                return true;
            }
            let Some(done) = c.runner.take() else {
                return false;
            };
            let run = done.finish();
            let generation = c.generation;
            respond(match c.index {
                0 => Report::Done {
                    generation,
                    rows: run.rows,
                    summary: run.summary,
                },
                i => Report::Remedy {
                    generation,
                    index: i - 1,
                    summary: run.summary,
                },
            });
            c.index += 1;
            if c.index == 1 && c.configs.len() > 1 {
                respond(Report::RemediesStarted { generation });
            }
            if now_ms() - start >= SLICE_MS {
                return c.index < c.configs.len();
            }
        }
    }
}

/// The worker's entry point ([`crate::start`] finds no window): serves the
/// page's jobs, after telling the page it is ready.
pub fn register() {
    let Ok(scope) = js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() else {
        return;
    };
    let to_page = scope.clone();
    let worker: Shared = Rc::new(RefCell::new(LabWorker {
        current: None,
        ticking: false,
        respond: Box::new(move |r: Report| {
            post(&r.encode(), |m, t| to_page.post_message_with_transfer(m, t))
        }),
    }));
    let on_job = {
        let worker = worker.clone();
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            // The page sends only jobs; anything else is dropped.
            if let Some(job) = Job::decode(&bytes_of(&e.data())) {
                worker.borrow_mut().received(job);
                schedule(&worker);
            }
        })
    };
    scope.set_onmessage(Some(on_job.as_ref().unchecked_ref()));
    // For the worker's whole life.
    on_job.forget();
    let _ = scope.post_message(&JsValue::NULL);
}

/// The page's side of the worker: jobs wait until the worker says it is
/// ready; its reports go to `on_report`.
pub struct Bridge {
    worker: web_sys::Worker,
    /// `Some` until the worker is ready: the job to send then (only the
    /// newest matters).
    waiting: Rc<RefCell<Option<Option<Job>>>>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
}

impl Bridge {
    /// Starts the worker from the script at `loader_url`.
    pub fn spawn(loader_url: &str, on_report: impl Fn(Report) + 'static) -> Result<Bridge, String> {
        let worker =
            web_sys::Worker::new(loader_url).map_err(|_| "the browser refused the lab's worker")?;
        let waiting: Rc<RefCell<Option<Option<Job>>>> = Rc::new(RefCell::new(Some(None)));
        let on_message = {
            let waiting = waiting.clone();
            let worker = worker.clone();
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                if data.is_null() {
                    // Ready: send the job that waited.
                    let job = waiting.borrow_mut().take().flatten();
                    if let Some(job) = job {
                        send_to(&worker, &job);
                    }
                } else if let Some(report) = Report::decode(&bytes_of(&data)) {
                    on_report(report);
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Bridge {
            worker,
            waiting,
            _on_message: on_message,
        })
    }

    /// Sends `job` now, or when the worker is ready.
    pub fn send(&self, job: Job) {
        let mut waiting = self.waiting.borrow_mut();
        match waiting.as_mut() {
            Some(slot) => *slot = Some(job),
            None => send_to(&self.worker, &job),
        }
    }
}

fn send_to(worker: &web_sys::Worker, job: &Job) {
    post(&job.encode(), |m, t| {
        worker.post_message_with_transfer(m, t)
    });
}
