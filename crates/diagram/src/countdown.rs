//! What the TIME_WAIT countdown says at an instant, for every way a close can
//! end: TIME_WAIT served in full (perhaps restarted by a retransmitted FIN), cut
//! short by a RST (RFC 1337 off), a RST ignored in it (RFC 1337 on), or no
//! TIME_WAIT at all (an abort, a RST for unread data, a RST from the peer, an
//! orphaned FIN_WAIT_2 timed out, retries exhausted). Read from the trace only:
//! it never claims a timer the trace does not run.

use crate::layout::format_duration;
use crate::playback::{state_at, until};
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
    /// TIME_WAIT ended before its timer: a RST (TIME-WAIT assassination), or
    /// a new connection on the 4-tuple (a newer SYN let in, RFC 6191, or a
    /// connect() over it, `tcp_tw_reuse`).
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
/// overrides), shown before anything has happened. One pass over the trace up
/// to `t`.
pub fn countdown_at(trace: &Trace, t: f64, time_wait_ms: f64) -> Countdown {
    // Per host: state; TIME_WAIT (re)start and deadline while it runs;
    // restarts; how it ended; a RST that reached it in TIME_WAIT.
    let mut state = [TcpState::Closed; 2];
    let mut running: [Option<(f64, f64)>; 2] = [None; 2];
    let mut restarts = [0usize; 2];
    let mut ended: Option<(Phase, Host)> = None;
    let mut ignored_rst = [false; 2];
    let mut first_closer = None;
    for e in until(trace, t) {
        match &e.kind {
            EventKind::Start { a, b, .. } => state = [*a, *b],
            EventKind::State { host, from, to } => {
                let h = host.index();
                state[h] = *to;
                if *from == TcpState::TimeWait && running[h].is_some() {
                    // Left TIME_WAIT with its timer still set: a RST cut it,
                    // or a new connection took its place.
                    running[h] = None;
                    ended.get_or_insert((Phase::CutShort, *host));
                }
            }
            EventKind::Timer {
                host,
                timer: TimerKind::TimeWait,
                action,
                deadline_ms,
            } => {
                let h = host.index();
                match action {
                    TimerAction::Armed | TimerAction::Restarted => {
                        restarts[h] += usize::from(*action == TimerAction::Restarted);
                        running[h] = deadline_ms.map(|d| (e.t_ms, d));
                    }
                    TimerAction::Expired => {
                        running[h] = None;
                        ended = Some((Phase::Expired, *host));
                    }
                    TimerAction::Stopped => {}
                }
            }
            EventKind::Segment(s)
                if s.flags.contains(Flags::RST)
                    && s.fate == Fate::Delivered
                    && s.arrive_ms.is_some_and(|a| a <= t)
                    && state_at(trace, s.to, s.arrive_ms.unwrap_or(t)) == TcpState::TimeWait =>
            {
                ignored_rst[s.to.index()] = true;
            }
            EventKind::App {
                host,
                call: AppCall::Close | AppCall::ShutdownWrite | AppCall::Abort,
                ..
            } => {
                first_closer.get_or_insert(*host);
            }
            _ => {}
        }
    }
    let mut c = Countdown {
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
    if let Some(h) = Host::BOTH
        .into_iter()
        .find(|h| running[h.index()].is_some())
    {
        let (since, deadline) = running[h.index()].unwrap_or((t, t));
        let i = h.index();
        c.phase = Phase::Running;
        c.host = Some(h);
        c.remaining_ms = deadline - t;
        c.total_ms = deadline - since;
        c.started_ms = since;
        c.restarts = restarts[i];
        c.title = format!("{h} in TIME_WAIT");
        c.text = if restarts[i] > 0 {
            format!("Restarted {}× by a retransmitted FIN. The socket lingers so a late FIN can still be ACKed.", restarts[i])
        } else if ignored_rst[i] {
            "A RST reached it and was ignored (RFC 1337): the 2MSL wait goes on.".into()
        } else if c.total_ms > time_wait_ms + 1.0 {
            // illumos's 5 s reaper (`Profile::time_wait_granularity`).
            format!("The socket lingers {}: 2×MSL, rounded up to the reaper's next run. A lost final ACK can be sent again, and old segments die out.", format_duration(c.total_ms))
        } else {
            "The socket lingers 2×MSL so a lost final ACK can be sent again, and old segments die out.".into()
        };
        return c;
    }
    let (phase, host, title, text) = match (ended, first_closer) {
        (Some((Phase::Expired, h)), _) => (
            Phase::Expired,
            h,
            "TIME_WAIT over",
            format!("{h}'s 2MSL timer expired: the socket is gone."),
        ),
        (Some((_, h)), _) => (
            Phase::CutShort,
            h,
            "TIME_WAIT cut short",
            format!("{h}'s TIME_WAIT ended before its 2MSL timer: a RST reached it (TIME-WAIT assassination, RFC 1337), or a new connection took its 4-tuple."),
        ),
        // No TIME_WAIT: once the side that closed first is gone, say why.
        (None, Some(h)) if state[h.index()] == TcpState::Closed => (
            Phase::Skipped,
            h,
            "No TIME_WAIT",
            format!("{h} {}", why_closed(trace, t, h)),
        ),
        _ => return c,
    };
    c.phase = phase;
    c.host = Some(host);
    c.remaining_ms = 0.0;
    c.title = title.into();
    c.text = text;
    c
}

/// Why `host` reached CLOSED without TIME_WAIT, from the events at the instant
/// it did (the last such instant up to `t`), in one pass over the trace.
fn why_closed(trace: &Trace, t: f64, host: Host) -> &'static str {
    let mut at = None;
    for e in until(trace, t) {
        if matches!(&e.kind, EventKind::State { host: h, to: TcpState::Closed, .. } if *h == host) {
            at = Some(e.t_ms);
        }
    }
    let Some(at) = at else {
        return "never opened a connection.";
    };
    // What happened to `host` at that instant.
    let (mut abort, mut unread, mut fin_wait_2, mut retries, mut sent_rst, mut got_rst) =
        (false, false, false, false, false, false);
    for e in &trace.events {
        match &e.kind {
            EventKind::Segment(s) if s.flags.contains(Flags::RST) => {
                sent_rst |= e.t_ms == at && s.from == host;
                got_rst |= s.to == host && s.fate == Fate::Delivered && s.arrive_ms == Some(at);
            }
            _ if e.t_ms != at => {}
            EventKind::App { host: h, call, .. } if *h == host => {
                abort |= *call == AppCall::Abort;
                unread |= *call == AppCall::UnreadDiscarded;
            }
            EventKind::Timer {
                host: h,
                timer,
                action: TimerAction::Expired,
                ..
            } if *h == host => {
                fin_wait_2 |= *timer == TimerKind::FinWait2;
                retries |= *timer == TimerKind::Retransmission;
            }
            _ => {}
        }
    }
    if abort {
        "aborted (SO_LINGER 0): it sent a RST and skipped TIME_WAIT."
    } else if unread && sent_rst {
        "closed with data it never read, so it sent a RST instead of a FIN."
    } else if fin_wait_2 {
        "timed out in FIN_WAIT_2 (Linux tcp_fin_timeout) and was discarded before any TIME_WAIT."
    } else if retries {
        "gave up after too many retransmissions."
    } else if got_rst {
        "received a RST: the connection was torn down at once."
    } else if sent_rst {
        "sent a RST."
    } else {
        "closed before the connection was established."
    }
}
