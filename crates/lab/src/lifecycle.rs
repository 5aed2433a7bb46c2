//! One connection's timeline, read from the real engine's trace.
//!
//! The lab never invents a state machine of its own: it runs
//! [`farewell_engine::simulate`] on a one-connection scenario (handshake, a
//! request, the closer's close() at `conn_ms`, the peer's close() on EOF) with the
//! lab's platform, delay, loss and TIME_WAIT, and keeps only the moments the
//! bookkeeping needs, as offsets from connect().

use crate::config::{Closer, LabConfig};
use farewell_engine::{
    simulate, trace::TimerKind, Action, Do, EventKind, Host, LinkConfig, Scenario, TcpState,
    Tunables,
};

/// Lifecycles sampled per lab seed when loss is on (each with its own seed).
pub const LOSS_SAMPLES: u64 = 64;

/// The probe's close time: after any handshake the engine can retry.
const PROBE_CLOSE_MS: f64 = 3_000_000.0;

/// When things happen in one connection, in microseconds after connect().
/// The client is host A of the engine's scenario, the server host B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lifecycle {
    /// The client leaves SYN_SENT / ESTABLISHED (it sent or received the first FIN).
    pub open_until_us: u64,
    /// The client's TIME_WAIT, `[enter, exit)`.
    pub client_time_wait: Option<(u64, u64)>,
    /// The client socket is gone and its port free (CLOSED for the last time;
    /// the end of TIME_WAIT when it has one).
    pub client_release_us: u64,
    /// The server's TIME_WAIT, `[enter, exit)`.
    pub server_time_wait: Option<(u64, u64)>,
    /// Whether the client's and the server's TIME_WAIT end by a reaper's
    /// batch (illumos, `Profile::time_wait_granularity`): then the exit here is
    /// the 2MSL timer's own, and the replay rounds it up to the reaper's next
    /// run on the lab's clock, where the engine's one-connection run rounds it
    /// on its own.
    pub reaped: [bool; 2],
}

/// The engine scenario for one of the lab's connections, the closer calling
/// close() at `close_ms`.
pub fn scenario(cfg: &LabConfig, seed: u64, close_ms: f64) -> Scenario {
    let (closer, peer) = match cfg.closer {
        Closer::Client => (Host::A, Host::B),
        Closer::Server => (Host::B, Host::A),
    };
    let at = |at_ms: f64, host: Host, what: Do, bytes: Option<u32>| Action {
        at_ms: Some(at_ms),
        after_eof_ms: None,
        host,
        what,
        bytes,
    };
    Scenario {
        name: "lab connection".into(),
        description: String::new(),
        platform: cfg.platform,
        msl_ms: None,
        seed,
        handshake: true,
        link: LinkConfig {
            delay_ms: cfg.delay_ms,
            loss: cfg.loss,
        },
        hosts: Default::default(),
        tunables: Tunables {
            time_wait_ms: cfg.time_wait_ms,
            timestamps: cfg.timestamps,
            ..Tunables::default()
        },
        actions: vec![
            // The request, queued in SYN_SENT and sent once ESTABLISHED.
            at(0.0, Host::A, Do::Send, Some(100)),
            at(close_ms, closer, Do::Close, None),
            Action {
                at_ms: None,
                after_eof_ms: Some(0.0),
                host: peer,
                what: Do::Close,
                bytes: None,
            },
        ],
        drops: Vec::new(),
        duplicates: Vec::new(),
        time_limit_ms: None,
    }
}

/// When the client became ESTABLISHED in a trace, in ms.
fn established_ms(trace: &farewell_engine::Trace) -> Option<f64> {
    trace.events.iter().find_map(|e| match e.kind {
        EventKind::State {
            host: Host::A,
            to: TcpState::Established,
            ..
        } => Some(e.t_ms),
        _ => None,
    })
}

/// Simulates one connection and reads its timeline from the trace's state
/// changes. A TIME_WAIT still open when the trace ends is given the profile's
/// length.
///
/// `conn_ms` counts from connect(); when loss slows the handshake past it (a
/// lost SYN waits for the 1 s retransmission), the close comes `conn_ms` after
/// ESTABLISHED instead, as an application closes only after its exchange. This
/// is found by a probe run whose close comes late: the same seed draws the same
/// losses up to that point.
pub fn lifecycle(cfg: &LabConfig, seed: u64) -> Lifecycle {
    lifecycle_of(cfg, &simulated(cfg, seed).1)
}

/// The engine scenario [`lifecycle`] reads connection `seed`'s timeline
/// from (its close moved past a slow handshake, as described there): what
/// the playground shows when the lab drills down into one connection.
pub fn scenario_for(cfg: &LabConfig, seed: u64) -> Scenario {
    simulated(cfg, seed).0
}

/// The scenario of [`scenario_for`] and its trace.
fn simulated(cfg: &LabConfig, seed: u64) -> (Scenario, farewell_engine::Trace) {
    let mut chosen = scenario(cfg, seed, cfg.conn_ms);
    let mut trace = simulate(&chosen);
    if cfg.loss > 0.0 && established_ms(&trace).is_none_or(|t| t >= cfg.conn_ms) {
        let probe = simulate(&scenario(cfg, seed, PROBE_CLOSE_MS));
        if let Some(t) = established_ms(&probe) {
            chosen = scenario(cfg, seed, t + cfg.conn_ms);
            trace = simulate(&chosen);
        }
    }
    (chosen, trace)
}

/// The timeline in `trace`, a trace of [`scenario_for`].
fn lifecycle_of(cfg: &LabConfig, trace: &farewell_engine::Trace) -> Lifecycle {
    let us = |t_ms: f64| (t_ms * 1000.0).round().max(0.0) as u64;
    let tw_len = cfg.time_wait().as_micros();
    let reaper = cfg.platform.profile().time_wait_granularity.is_some();
    let mut open_until = None;
    let mut tw: [Option<(u64, Option<u64>)>; 2] = [None, None];
    // Each side's running 2MSL timer: (armed at, deadline).
    let mut timer = [(0, 0); 2];
    let mut reaped = [reaper; 2];
    let mut client_closed = 0;
    for e in &trace.events {
        let t = us(e.t_ms);
        let (host, from, to) = match e.kind {
            EventKind::State { host, from, to } => (host, from, to),
            EventKind::Timer {
                host,
                timer: TimerKind::TimeWait,
                deadline_ms: Some(d),
                ..
            } => {
                timer[(host == Host::B) as usize] = (t, us(d));
                continue;
            }
            _ => continue,
        };
        let side = (host == Host::B) as usize;
        // Left by the 2MSL timer at its (rounded) deadline: the unrounded end.
        let exit = if reaper && from == TcpState::TimeWait && t == timer[side].1 {
            timer[side].0 + tw_len
        } else {
            reaped[side] &= from != TcpState::TimeWait;
            t
        };
        if host == Host::A
            && open_until.is_none()
            && !matches!(to, TcpState::SynSent | TcpState::Established)
        {
            open_until = Some(t);
        }
        if to == TcpState::TimeWait && tw[side].is_none() {
            tw[side] = Some((t, None));
        }
        if from == TcpState::TimeWait {
            if let Some((_, end)) = &mut tw[side] {
                *end = Some(exit);
            }
        }
        if host == Host::A && to == TcpState::Closed {
            client_closed = exit;
        }
    }
    let end = us(trace.end_ms());
    let close = |w: Option<(u64, Option<u64>)>| w.map(|(a, b)| (a, b.unwrap_or(a + tw_len)));
    let client_time_wait = close(tw[0]);
    let client_release_us = match client_time_wait {
        Some((_, exit)) => exit.max(client_closed),
        None if client_closed > 0 => client_closed,
        None => end,
    };
    Lifecycle {
        open_until_us: open_until.unwrap_or(end).min(client_release_us),
        client_time_wait,
        client_release_us,
        server_time_wait: close(tw[1]),
        reaped: [0, 1].map(|i| reaped[i] && tw[i].is_some()),
    }
}

/// The lifecycles a run cycles through: one without loss; with loss,
/// [`LOSS_SAMPLES`] seeds derived from the lab seed (SplitMix64), so connection
/// `n` follows sample `n % len`.
pub fn sample(cfg: &LabConfig) -> Vec<Lifecycle> {
    sample_seeds(cfg)
        .into_iter()
        .map(|seed| lifecycle(cfg, seed))
        .collect()
}

/// The seeds [`sample`] simulates, in order (so a caller that must not block
/// can simulate them one at a time).
pub fn sample_seeds(cfg: &LabConfig) -> Vec<u64> {
    if cfg.loss == 0.0 {
        return vec![cfg.seed];
    }
    let mut state = cfg.seed;
    (0..LOSS_SAMPLES).map(|_| splitmix64(&mut state)).collect()
}

/// SplitMix64 (Steele, Lea & Flood 2014).
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
