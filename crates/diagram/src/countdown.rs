//! What the TIME_WAIT countdown says at an instant, for every way a close can
//! end: TIME_WAIT served in full (perhaps restarted by a retransmitted FIN), cut
//! short by a RST (RFC 1337 off), a RST ignored in it (RFC 1337 on), or no
//! TIME_WAIT at all (an abort, a RST for unread data, a RST from the peer, an
//! orphaned FIN_WAIT_2 timed out, retries exhausted). Read from the trace only:
//! it never claims a timer the trace does not run.

use crate::layout::format_duration;
use crate::playback::{active_timers_at, until};
use farewell_engine::trace::{AppCall, EventKind, Fate, TimerAction, TimerKind};
use farewell_engine::{Flags, Host, TcpState, Trace};

/// Where the TIME_WAIT story stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing has decided it yet: the first side to close will wait here.
    Idle,
    /// A host is in TIME_WAIT with its 2MSL timer running.
    Running,
    /// The 2MSL timer expired: TIME_WAIT served in full.
    Expired,
    /// A RST ended TIME_WAIT before its timer (TIME-WAIT assassination).
    CutShort,
    /// The connection ended without anyone entering TIME_WAIT.
    Skipped,
}

impl Phase {
    /// The `data-phase` attribute and CSS class.
    pub const fn id(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Expired => "done",
            Phase::CutShort => "cut",
            Phase::Skipped => "none",
        }
    }
}

/// The countdown at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Countdown {
    pub phase: Phase,
    /// The host in (or last in) TIME_WAIT, or the one that closed first.
    pub host: Option<Host>,
    pub remaining_ms: f64,
    pub total_ms: f64,
    /// When the running TIME_WAIT (re)started: the ring is keyed on it.
    pub started_ms: f64,
    /// Times a retransmitted FIN restarted the running TIME_WAIT.
    pub restarts: usize,
    pub title: String,
    pub text: String,
}

/// The countdown at `t`; `time_wait_ms` is the platform's TIME_WAIT (with
/// overrides), shown before anything has happened.
pub fn countdown_at(trace: &Trace, t: f64, time_wait_ms: f64) -> Countdown {
    let idle = Countdown {
        phase: Phase::Idle,
        host: None,
        remaining_ms: time_wait_ms,
        total_ms: time_wait_ms,
        started_ms: -1.0,
        restarts: 0,
        title: "TIME_WAIT".into(),
        text: format!(
            "The side that closes first will wait {} here.",
            format_duration(time_wait_ms)
        ),
    };
    if let Some(a) = active_timers_at(trace, t)
        .into_iter()
        .find(|a| a.timer == TimerKind::TimeWait)
    {
        let h = a.host;
        let restarts = time_wait_events(trace, t, h, TimerAction::Restarted);
        let ignored_rst = rst_reached_in_time_wait(trace, t, h);
        let text = if restarts > 0 {
            format!("Restarted {restarts}× by a retransmitted FIN. The socket lingers so a late FIN can still be ACKed.")
        } else if ignored_rst {
            "A RST reached it and was ignored (RFC 1337): the 2MSL wait goes on.".into()
        } else {
            "The socket lingers 2×MSL so a lost final ACK can be sent again, and old segments die out.".into()
        };
        return Countdown {
            phase: Phase::Running,
            host: Some(h),
            remaining_ms: a.deadline_ms - t,
            total_ms: a.deadline_ms - a.started_ms,
            started_ms: a.started_ms,
            restarts,
            title: format!("{h} in TIME_WAIT"),
            text,
        };
    }
    let over = |phase, host, title: String, text: String| Countdown {
        phase,
        host,
        remaining_ms: 0.0,
        total_ms: time_wait_ms,
        title,
        text,
        ..idle.clone()
    };
    // A TIME_WAIT that is over: how did it end?
    for h in Host::BOTH {
        if time_wait_events(trace, t, h, TimerAction::Expired) > 0 {
            return over(
                Phase::Expired,
                Some(h),
                "TIME_WAIT over".into(),
                format!("{h}'s 2MSL timer expired: the socket is gone."),
            );
        }
        if left_time_wait_early(trace, t, h) {
            return over(
                Phase::CutShort,
                Some(h),
                "TIME_WAIT cut short".into(),
                format!("A RST reached {h} in TIME_WAIT and ended it before its 2MSL timer (TIME-WAIT assassination, RFC 1337)."),
            );
        }
    }
    // No TIME_WAIT: once the side that closed first is gone, say why.
    let Some(first) = first_closer(trace, t) else {
        return idle;
    };
    if crate::playback::state_at(trace, first, t) != TcpState::Closed {
        return idle;
    }
    over(
        Phase::Skipped,
        Some(first),
        "No TIME_WAIT".into(),
        format!("{first} {}", why_closed(trace, t, first)),
    )
}

/// TIME_WAIT timer events of `action` for `host` up to `t`.
fn time_wait_events(trace: &Trace, t: f64, host: Host, action: TimerAction) -> usize {
    until(trace, t)
        .filter(|e| {
            matches!(&e.kind, EventKind::Timer { host: h, timer: TimerKind::TimeWait, action: a, .. }
                if *h == host && *a == action)
        })
        .count()
}

/// `host` went from TIME_WAIT to CLOSED (not by its timer) up to `t`.
fn left_time_wait_early(trace: &Trace, t: f64, host: Host) -> bool {
    until(trace, t).any(|e| {
        matches!(&e.kind, EventKind::State { host: h, from: TcpState::TimeWait, to: TcpState::Closed }
            if *h == host)
    }) && time_wait_events(trace, t, host, TimerAction::Expired) == 0
}

/// A RST was delivered to `host` while it was in TIME_WAIT, up to `t`.
fn rst_reached_in_time_wait(trace: &Trace, t: f64, host: Host) -> bool {
    trace.segments().any(|(_, s)| {
        s.to == host
            && s.flags.contains(Flags::RST)
            && s.fate == Fate::Delivered
            && s.arrive_ms.is_some_and(|at| {
                at <= t && crate::playback::state_at(trace, host, at) == TcpState::TimeWait
            })
    })
}

/// The first host whose application called close(), shutdown() or abort().
fn first_closer(trace: &Trace, t: f64) -> Option<Host> {
    until(trace, t).find_map(|e| match &e.kind {
        EventKind::App {
            host,
            call: AppCall::Close | AppCall::ShutdownWrite | AppCall::Abort,
            ..
        } => Some(*host),
        _ => None,
    })
}

/// Why `host` reached CLOSED without TIME_WAIT, from the events at the instant
/// it did (the last such instant up to `t`).
fn why_closed(trace: &Trace, t: f64, host: Host) -> &'static str {
    let Some(at) = until(trace, t)
        .filter(|e| matches!(&e.kind, EventKind::State { host: h, to: TcpState::Closed, .. } if *h == host))
        .map(|e| e.t_ms)
        .last()
    else {
        return "never opened a connection.";
    };
    let then = || trace.events.iter().filter(move |e| e.t_ms == at);
    let app = |call: AppCall| {
        then().any(|e| matches!(&e.kind, EventKind::App { host: h, call: c, .. } if *h == host && *c == call))
    };
    let expired = |timer: TimerKind| {
        then().any(|e| matches!(&e.kind, EventKind::Timer { host: h, timer: k, action: TimerAction::Expired, .. } if *h == host && *k == timer))
    };
    let sent_rst = then().any(|e| {
        matches!(&e.kind, EventKind::Segment(s) if s.from == host && s.flags.contains(Flags::RST))
    });
    let got_rst = trace.segments().any(|(_, s)| {
        s.to == host
            && s.flags.contains(Flags::RST)
            && s.fate == Fate::Delivered
            && s.arrive_ms == Some(at)
    });
    if app(AppCall::Abort) {
        "aborted (SO_LINGER 0): it sent a RST and skipped TIME_WAIT."
    } else if app(AppCall::UnreadDiscarded) && sent_rst {
        "closed with data it never read, so it sent a RST instead of a FIN: no TIME_WAIT."
    } else if expired(TimerKind::FinWait2) {
        "waited in FIN_WAIT_2 until its timeout (Linux tcp_fin_timeout) and was discarded: it never reached TIME_WAIT."
    } else if expired(TimerKind::Retransmission) {
        "gave up after too many retransmissions: the connection is gone, without TIME_WAIT."
    } else if got_rst {
        "received a RST: the connection is torn down at once, without TIME_WAIT."
    } else if sent_rst {
        "sent a RST: no TIME_WAIT."
    } else {
        "closed before the connection was established: no TIME_WAIT."
    }
}
