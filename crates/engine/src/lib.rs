//! Farewell's engine: how a TCP connection says goodbye, exactly.
//!
//! * [`endpoint`]: a sans-IO TCP endpoint (RFC 9293) handed segments, application
//!   calls and the current time; it returns segments and timer deadlines.
//! * [`profile`]: the timer values and behaviours of Linux, FreeBSD, macOS,
//!   Windows, Solaris and RFC 793, with their sources.
//! * [`link`]: the simulated lossy link (delay, seeded loss, drop and duplicate rules).
//! * [`sim`]: the discrete-event simulator that runs a [`Scenario`] into a [`Trace`].
//! * [`builtin`]: the scenarios shown in the playground's menu.
//! * [`budget`]: the work budget every scenario is held to (checked before and
//!   during simulation).
//! * [`seq`]: sequence numbers ([`Seq`]) compared modulo 2^32 (RFC 9293 §3.4).
//! * [`trace`]: the public trace format; [`text`]: the trace as tcpdump-style text.
//!
//! Data flow: scenario → simulator (two endpoints + link) → trace.
//! No clock is read and all randomness comes from the scenario's seed, so the same
//! scenario always gives the same trace, byte for byte.

pub mod budget;
pub mod builtin;
pub mod endpoint;
pub mod link;
pub mod profile;
pub mod scenario;
pub mod segment;
pub mod seq;
pub mod sim;
pub mod state;
pub mod text;
pub mod time;
pub mod trace;

pub use profile::{
    next_reaper_run, Estimator, GiveUpAfter, Nagle, Platform, Profile, SynInTimeWait,
    TailLossProbe, TimeWaitReuse, Tunables,
};
pub use scenario::{Action, Do, DropRule, DuplicateRule, LinkConfig, Scenario, ScenarioError};
pub use segment::{Flags, Host, Segment, SegmentKind, Timestamps};
pub use seq::Seq;
pub use sim::{simulate, simulate_into, CountingSink, Simulation, TraceSink};
pub use state::TcpState;
pub use time::{Duration, Instant};
pub use trace::{BudgetStop, DiscardReason, EndReason, EventKind, SegmentEvent, Trace, TraceEvent};
