//! The lab's runs in a Web Worker (`gloo-worker`), so the page's main thread
//! only draws progress and results.
//!
//! The page sends a [`Job`]: a generation number and the configs to run (the
//! run itself, then each remedy), each as its link fragment
//! (`farewell_lab_view::knobs`, exact for every valid config, seeds above
//! 2^53 included). The worker runs them with
//! [`farewell_lab_view::runner::Runner`], the same steps as `farewell lab`, in
//! slices of at most [`SLICE_MS`]; between slices it returns to its event
//! loop, so a newer job (a newer generation) that arrived meanwhile replaces
//! the older one at once. It answers with [`Report`]s: progress with the
//! seconds replayed since the last report, the finished run, and each
//! remedy's summary.
//!
//! Messages go in gloo-worker's bincode envelope. The lab's own types go as
//! mirrors ([`RowWire`], [`SummaryWire`]) without their
//! `skip_serializing_if` attributes, which bincode cannot read back; the
//! mirrors are built by destructuring every field, so a field added to the
//! lab's types stops this crate compiling until it is carried too.

use farewell_lab::{LabRun, Row, Summary};
use farewell_lab_view::knobs::from_fragment;
use farewell_lab_view::runner::Runner;
use gloo_worker::{HandlerId, Worker, WorkerScope};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The longest stretch of work between two returns to the worker's event
/// loop: how long a newer job may wait before it replaces the current one.
const SLICE_MS: f64 = 20.0;

/// The least time between two progress reports (each one redraws the chart on
/// the page).
const REPORT_MS: f64 = 250.0;

/// What the page asks: run `configs[0]`, then the remedies `configs[1..]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub generation: u32,
    /// Link fragments (`to_fragment`).
    pub configs: Vec<String>,
}

/// What the worker says, each for one generation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Report {
    /// The main run is under way: `rows` are the seconds replayed since the
    /// last report.
    Progress {
        generation: u32,
        fraction: f64,
        label: String,
        rows: Vec<RowWire>,
    },
    /// The main run, complete.
    Done {
        generation: u32,
        rows: Vec<RowWire>,
        summary: SummaryWire,
    },
    /// The remedies are under way (sent after [`Report::Done`], so the page
    /// draws the run's results and the remedies table in two tasks).
    RemediesStarted { generation: u32 },
    /// Remedy `index` (0 is `configs[1]`), complete.
    Remedy {
        generation: u32,
        index: usize,
        summary: SummaryWire,
    },
    /// A config the worker could not read or run (the page checks them
    /// first, so this means page and worker disagree), or a worker that
    /// could not start.
    Refused { generation: u32, message: String },
}

impl Report {
    pub fn generation(&self) -> u32 {
        match self {
            Report::Progress { generation, .. }
            | Report::Done { generation, .. }
            | Report::RemediesStarted { generation }
            | Report::Remedy { generation, .. }
            | Report::Refused { generation, .. } => *generation,
        }
    }
}

/// A mirror of a lab type with every field, for bincode, and the two
/// conversions, each destructuring every field.
macro_rules! wire {
    ($(#[$doc:meta])* $wire:ident for $ty:ident { $($field:ident: $t:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $wire {
            $($field: $t),*
        }

        impl From<$ty> for $wire {
            fn from(v: $ty) -> Self {
                let $ty { $($field),* } = v;
                $wire { $($field),* }
            }
        }

        impl From<$wire> for $ty {
            fn from(v: $wire) -> Self {
                let $wire { $($field),* } = v;
                $ty { $($field),* }
            }
        }
    };
}

wire! {
    /// A [`Row`] in a message.
    RowWire for Row {
        t_s: u32,
        established: u64,
        time_wait_client: u64,
        time_wait_server: u64,
        ports_in_use: u64,
        connects: u64,
        connect_failures: u64,
        tw_reused: u64,
        tw_overflow: u64,
        memory_bytes: u64,
        bind: Vec<String>,
    }
}

wire! {
    /// A [`Summary`] in a message.
    SummaryWire for Summary {
        time_wait_s: f64,
        connection_rate: f64,
        expected_time_wait: f64,
        steady_time_wait: u64,
        peak_time_wait: u64,
        peak_memory_bytes: u64,
        connects: u64,
        connect_failures: u64,
        connect_refused: u64,
        tw_reused: u64,
        tw_overflow: u64,
        first_failure_s: Option<f64>,
        max_failure_free_rate: Option<f64>,
        listener_up_s: Option<f64>,
    }
}

/// Rows in a message.
pub fn rows_wire(rows: &[Row]) -> Vec<RowWire> {
    rows.iter().cloned().map(RowWire::from).collect()
}

/// A run from its message.
pub fn run_from(rows: Vec<RowWire>, summary: SummaryWire) -> LabRun {
    LabRun {
        rows: rows.into_iter().map(Row::from).collect(),
        summary: summary.into(),
    }
}

/// gloo-worker's bincode codec, with a plain message where gloo's own
/// `expect` would format bincode's error with `Debug`, which brought its
/// `Debug` implementations (about 5 KB) into the lab's module. The lab's
/// messages always encode (plain data) and decode (same module both sides).
pub struct Bin;

impl gloo_worker::Codec for Bin {
    fn encode<I: Serialize>(input: I) -> JsValue {
        match bincode::serialize(&input) {
            Ok(bytes) => js_sys::Uint8Array::from(bytes.as_slice()).into(),
            Err(_) => wasm_bindgen::throw_str("the lab could not encode a message"),
        }
    }

    fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> O {
        let bytes = js_sys::Uint8Array::new(&input).to_vec();
        match bincode::deserialize(&bytes) {
            Ok(v) => v,
            Err(_) => wasm_bindgen::throw_str("the lab could not read a message"),
        }
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
    who: HandlerId,
    generation: u32,
    configs: Vec<String>,
    /// Index into `configs` of the run under way.
    index: usize,
    runner: Option<Runner>,
    /// Rows already sent for the main run.
    sent: usize,
    last_report: f64,
}

pub struct LabWorker {
    current: Option<Current>,
    /// A slice is scheduled (one at a time).
    ticking: bool,
}

pub enum Tick {
    Slice,
}

impl LabWorker {
    fn schedule(&mut self, scope: &WorkerScope<Self>) {
        if self.ticking || self.current.is_none() {
            return;
        }
        self.ticking = true;
        let scope = scope.clone();
        wasm_bindgen_futures::spawn_local(async move {
            next_turn().await;
            scope.send_message(Tick::Slice);
        });
    }

    /// One slice of work on the current job; `false` once it is finished.
    fn slice(&mut self, scope: &WorkerScope<Self>) -> bool {
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
                            let generation = c.generation;
                            scope.respond(
                                c.who,
                                Report::Refused {
                                    generation,
                                    message,
                                },
                            );
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
                    let rows = rows_wire(&runner.rows()[c.sent..]);
                    c.sent += rows.len();
                    let p = runner.progress();
                    scope.respond(
                        c.who,
                        Report::Progress {
                            generation: c.generation,
                            fraction: p.fraction,
                            label: p.label,
                            rows,
                        },
                    );
                }
                return true;
            }
            let run = c.runner.take().expect("matched above").finish();
            let generation = c.generation;
            let report = match c.index {
                0 => Report::Done {
                    generation,
                    rows: rows_wire(&run.rows),
                    summary: run.summary.into(),
                },
                i => Report::Remedy {
                    generation,
                    index: i - 1,
                    summary: run.summary.into(),
                },
            };
            scope.respond(c.who, report);
            c.index += 1;
            if c.index == 1 && c.configs.len() > 1 {
                scope.respond(c.who, Report::RemediesStarted { generation });
            }
            if now_ms() - start >= SLICE_MS {
                return c.index < c.configs.len();
            }
        }
    }
}

impl Worker for LabWorker {
    type Message = Tick;
    type Input = Job;
    type Output = Report;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        LabWorker {
            current: None,
            ticking: false,
        }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, Tick::Slice: Tick) {
        self.ticking = false;
        if !self.slice(scope) {
            self.current = None;
        }
        self.schedule(scope);
    }

    fn received(&mut self, scope: &WorkerScope<Self>, job: Job, who: HandlerId) {
        // A newer job replaces whatever was under way.
        self.current = Some(Current {
            who,
            generation: job.generation,
            configs: job.configs,
            index: 0,
            runner: None,
            sent: 0,
            last_report: f64::NEG_INFINITY,
        });
        self.schedule(scope);
    }
}

/// The worker's entry point (`src/bin/farewell-lab-worker.rs`).
pub fn register() {
    use gloo_worker::Registrable;
    LabWorker::registrar().encoding::<Bin>().register();
}

#[cfg(test)]
mod tests {
    use super::*;
    use farewell_lab::{Closer, LabConfig};

    /// A run through the worker's message, as gloo-worker's bincode carries it.
    fn through_message(run: &LabRun) -> LabRun {
        let report = Report::Done {
            generation: 7,
            rows: rows_wire(&run.rows),
            summary: run.summary.clone().into(),
        };
        let bytes = bincode::serialize(&report).unwrap();
        match bincode::deserialize::<Report>(&bytes).unwrap() {
            Report::Done {
                generation: 7,
                rows,
                summary,
            } => run_from(rows, summary),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_run_comes_through_the_message_unchanged() {
        // A restart (rows with bind outcomes, a listener_up_s) and failures
        // (first_failure_s): the fields bincode could not carry as they are.
        let cfg = LabConfig {
            rate: 2000,
            duration_s: 120,
            closer: Closer::Server,
            restart_at_s: Some(10.0),
            ..LabConfig::default()
        };
        let run = farewell_lab::run(&cfg).unwrap();
        assert!(run.rows.iter().any(|r| !r.bind.is_empty()), "a restart");
        assert!(run.summary.listener_up_s.is_some() && run.summary.first_failure_s.is_some());
        assert_eq!(through_message(&run), run);
        let plain = farewell_lab::run(&LabConfig::default()).unwrap();
        assert_eq!(through_message(&plain), plain);
    }

    #[test]
    fn bincode_cannot_carry_the_lab_types_as_they_are() {
        // Why the mirrors exist: a skipped `None` leaves bincode reading
        // past the end.
        let run = farewell_lab::run(&LabConfig {
            rate: 100,
            duration_s: 5,
            ..LabConfig::default()
        })
        .unwrap();
        assert_eq!(run.summary.first_failure_s, None);
        let bytes = bincode::serialize(&run.summary).unwrap();
        assert!(bincode::deserialize::<Summary>(&bytes).is_err());
    }
}
