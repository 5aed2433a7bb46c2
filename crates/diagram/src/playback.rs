//! What the side panels show at simulated time `t`: each host's state, the
//! running timers, an `ss -tan` table and a plain-language narration. All are
//! pure functions of the trace and `t`, so scrubbing backwards is free.

use crate::layout::{format_clock, format_duration, TimerEnd};
use farewell_engine::trace::{AppCall, EventKind, Fate, TimerAction, TimerKind};
use farewell_engine::{
    DiscardReason, Flags, Host, SegmentEvent, SegmentKind, TcpState, Trace, TraceEvent,
};

/// Events that have happened by `t` (inclusive).
pub(crate) fn until(trace: &Trace, t: f64) -> impl Iterator<Item = &TraceEvent> {
    trace.events.iter().take_while(move |e| e.t_ms <= t)
}

/// `host`'s state at `t`.
pub fn state_at(trace: &Trace, host: Host, t: f64) -> TcpState {
    let mut state = TcpState::Closed;
    for e in until(trace, t) {
        match &e.kind {
            EventKind::Start { a, b, .. } => state = if host == Host::A { *a } else { *b },
            EventKind::State { host: h, to, .. } if *h == host => state = *to,
            _ => {}
        }
    }
    state
}

/// A timer running at some instant.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveTimer {
    pub host: Host,
    pub timer: TimerKind,
    /// When it was (last) armed or restarted.
    pub started_ms: f64,
    pub deadline_ms: f64,
}

/// One run of a timer: from when it was armed (or restarted) to when it fired,
/// was stopped or restarted, or the trace ended.
#[derive(Clone, Debug, PartialEq)]
pub struct TimerSpan {
    pub host: Host,
    pub timer: TimerKind,
    pub t0: f64,
    pub t1: f64,
    /// When it would fire, as armed.
    pub deadline_ms: f64,
    pub end: TimerEnd,
}

/// Every run of every timer in the trace, in order of arming. The diagram's
/// brackets and the running timers at an instant both come from here.
pub fn timer_spans(trace: &Trace) -> Vec<TimerSpan> {
    let mut open: Vec<TimerSpan> = Vec::new();
    let mut spans: Vec<TimerSpan> = Vec::new();
    for e in &trace.events {
        let EventKind::Timer {
            host,
            timer,
            action,
            deadline_ms,
        } = &e.kind
        else {
            continue;
        };
        if let Some(i) = open
            .iter()
            .position(|o| o.host == *host && o.timer == *timer)
        {
            let mut span = open.remove(i);
            span.t1 = e.t_ms;
            span.end = match action {
                TimerAction::Armed | TimerAction::Restarted => TimerEnd::Restarted,
                TimerAction::Stopped => TimerEnd::Stopped,
                TimerAction::Expired => TimerEnd::Expired,
            };
            spans.push(span);
        }
        if matches!(action, TimerAction::Armed | TimerAction::Restarted) {
            open.push(TimerSpan {
                host: *host,
                timer: *timer,
                t0: e.t_ms,
                t1: e.t_ms,
                deadline_ms: deadline_ms.unwrap_or(e.t_ms),
                end: TimerEnd::Running,
            });
        }
    }
    let end_ms = trace.end_ms();
    spans.extend(open.into_iter().map(|s| TimerSpan {
        t1: end_ms.max(s.t0),
        ..s
    }));
    crate::order::sort_by_time(&mut spans, |s| (s.t0, 0));
    spans
}

/// The timers running at `t` (armed or restarted, not yet stopped or fired), in
/// host then timer order.
pub fn active_timers_at(trace: &Trace, t: f64) -> Vec<ActiveTimer> {
    let spans = timer_spans(trace);
    // A host runs at most one timer of each kind, so walking hosts and kinds in
    // order gives the order without sorting.
    let mut running = Vec::new();
    for host in Host::BOTH {
        for timer in TimerKind::ALL {
            running.extend(
                spans
                    .iter()
                    .filter(|s| s.host == host && s.timer == timer)
                    .filter(|s| s.t0 <= t && (t < s.t1 || s.end == TimerEnd::Running))
                    .map(|s| ActiveTimer {
                        host,
                        timer,
                        started_ms: s.t0,
                        deadline_ms: s.deadline_ms,
                    }),
            );
        }
    }
    running
}

/// One row of `ss -tan` on one host.
#[derive(Clone, Debug, PartialEq)]
pub struct SsRow {
    pub host: Host,
    /// `ss`'s spelling: `ESTAB`, `FIN-WAIT-2`, `TIME-WAIT`, …
    pub state: &'static str,
    /// Bytes received and not yet read by the application.
    pub recv_q: u32,
    /// Bytes sent by the application and not yet acknowledged.
    pub send_q: u32,
    pub local: String,
    pub peer: String,
}

/// What `ss -tan` would print on each host at `t` (a CLOSED socket is gone and
/// has no row; a listener shows `*:*` as its peer).
pub fn ss_table_at(trace: &Trace, t: f64) -> Vec<SsRow> {
    // Per host: bytes the app sent, highest ACK received (relative), highest
    // in-order data byte received, bytes the app read.
    let mut sent = [0u32; 2];
    let mut acked = [0u32; 2];
    let mut received = [0u32; 2];
    let mut read = [0u32; 2];
    for e in until(trace, t) {
        match &e.kind {
            EventKind::App {
                host,
                call: AppCall::Send,
                bytes: Some(b),
                error: None,
                ..
            } => sent[host.index()] += b,
            EventKind::App {
                host,
                call: AppCall::Read,
                bytes: Some(b),
                ..
            } => read[host.index()] += b,
            _ => {}
        }
    }
    for (_, s) in trace.segments() {
        let arrived = s.fate == Fate::Delivered && s.arrive_ms.is_some_and(|a| a <= t);
        if !arrived || s.duplicate || s.flags.contains(Flags::RST) {
            continue;
        }
        let to = s.to.index();
        if let Some(ack) = s.ack {
            acked[to] = acked[to].max(ack.saturating_sub(1));
        }
        if s.len > 0 {
            received[to] = received[to].max(s.seq.saturating_add(s.len).saturating_sub(1));
        }
    }
    Host::BOTH
        .into_iter()
        .filter_map(|h| {
            let state = state_at(trace, h, t);
            if state == TcpState::Closed {
                return None;
            }
            let i = h.index();
            let listen = state == TcpState::Listen;
            Some(SsRow {
                host: h,
                state: state.ss_name(),
                recv_q: received[i].saturating_sub(read[i]),
                send_q: sent[i].saturating_sub(acked[i].min(sent[i])),
                local: if listen {
                    format!("0.0.0.0:{}", h.port())
                } else {
                    h.socket_addr()
                },
                peer: if listen {
                    "*:*".to_string()
                } else {
                    h.peer().socket_addr()
                },
            })
        })
        .collect()
}

/// A segment in words: its [`SegmentKind`], naming a SYN-ACK and data riding
/// with a FIN.
fn what(s: &SegmentEvent) -> &'static str {
    match SegmentKind::of(s.flags, s.len) {
        SegmentKind::Rst => "RST",
        SegmentKind::Syn if s.flags.contains(Flags::ACK) => "SYN-ACK",
        SegmentKind::Syn => "SYN",
        SegmentKind::Fin if s.len > 0 => "data and FIN",
        SegmentKind::Fin => "FIN",
        SegmentKind::Data => "data",
        SegmentKind::Ack | SegmentKind::Any => "ACK",
    }
}

/// Why a state was entered, in plain words.
fn explain_state(host: Host, from: TcpState, to: TcpState, time_wait: &str) -> String {
    let peer = host.peer();
    use TcpState::*;
    match (from, to) {
        (Closed, SynSent) => format!("{host} calls connect() and sends a SYN: it is in SYN_SENT."),
        (Listen, SynReceived) => format!("{host} got a SYN and answered SYN-ACK: SYN_RECEIVED."),
        (_, Established) => format!("{host} is ESTABLISHED: data can flow both ways."),
        (Established, FinWait1) => format!(
            "{host} sent its FIN and waits in FIN_WAIT_1 for {peer} to acknowledge it."
        ),
        (SynReceived, FinWait1) => format!("{host} closed before the handshake finished and sent a FIN: FIN_WAIT_1."),
        (FinWait1, FinWait2) => format!(
            "{peer} acknowledged {host}'s FIN: {host} is in FIN_WAIT_2, waiting for {peer}'s FIN. {host} can still receive data (a half-close)."
        ),
        (FinWait1, Closing) => format!(
            "{host} received {peer}'s FIN before the ACK of its own: both sides closed at once, and {host} waits in CLOSING."
        ),
        (_, TimeWait) => format!(
            "{host} has acknowledged {peer}'s FIN and waits in TIME_WAIT for 2×MSL ({time_wait}), so that it can repeat its last ACK if it was lost, and old segments of this connection die out before the port pair is used again."
        ),
        (Established, CloseWait) | (SynReceived, CloseWait) => format!(
            "{host} received {peer}'s FIN and ACKed it: {host}'s application will read end-of-file. {host} stays in CLOSE_WAIT until its application calls close()."
        ),
        (CloseWait, LastAck) => format!(
            "{host} sent its own FIN and waits in LAST_ACK for the final ACK."
        ),
        (LastAck, Closed) => format!("{host} received the final ACK: its side of the connection is gone, with no TIME_WAIT."),
        (TimeWait, Closed) => format!("{host}'s 2MSL timer expired: the connection is fully closed and the port pair can be reused."),
        (FinWait2, Closed) => format!(
            "{host} gave up waiting in FIN_WAIT_2 for {peer}'s FIN (the orphaned socket's timeout, Linux tcp_fin_timeout) and discarded the connection."
        ),
        (_, Closed) => format!("{host}'s connection is CLOSED."),
        (_, to) => format!("{host} is now in {}.", to.rfc_name()),
    }
}

/// One paragraph in plain language about what is happening at `t`: what just
/// happened, what is in flight and what everyone is waiting for.
pub fn narration_at(trace: &Trace, t: f64) -> String {
    let time_wait = trace
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Start { time_wait_ms, .. } => Some(format_duration(*time_wait_ms)),
            _ => None,
        })
        .unwrap_or_else(|| "2×MSL".to_string());
    let Some(last_t) = until(trace, t).last().map(|e| e.t_ms) else {
        return "Press play or step forward to watch the connection close.".to_string();
    };
    let mut parts: Vec<String> = Vec::new();
    let now: Vec<&TraceEvent> = trace.events.iter().filter(|e| e.t_ms == last_t).collect();
    // What just happened: state changes first, then notable timer and app events.
    let mut got_rst = [false; 2];
    for e in &now {
        if let EventKind::Segment(s) = &e.kind {
            if s.flags.contains(Flags::RST) && s.fate == Fate::Delivered {
                got_rst[s.to.index()] = true;
            }
        }
    }
    for e in trace.events.iter().take_while(|e| e.t_ms <= t) {
        if let EventKind::Segment(s) = &e.kind {
            if s.flags.contains(Flags::RST) && s.arrive_ms == Some(last_t) {
                got_rst[s.to.index()] = true;
            }
        }
    }
    for e in &now {
        if let EventKind::Discard {
            host,
            seg_id,
            reason,
        } = &e.kind
        {
            let seg = trace
                .segments()
                .find(|(_, s)| s.id == *seg_id)
                .map(|(_, s)| s);
            let (from, what) = seg.map_or((host.peer(), "segment"), |s| (s.from, what(s)));
            // The reply sent at the same moment, if it names the duplicate.
            let dsack = trace
                .segments()
                .any(|(at, s)| at == e.t_ms && s.from == *host && s.dsack.is_some());
            parts.push(if *reason == DiscardReason::Paws {
                format!(
                    "{host} threw {from}'s {what} away unread: its timestamp is older than the newest one {host} has seen from {from}, so it must be an old duplicate (PAWS, RFC 7323 §5). {host} answers with a duplicate ACK{}.",
                    if dsack {
                        " that names the old bytes in a D-SACK block (RFC 2883)"
                    } else {
                        ""
                    }
                )
            } else {
                format!("{host} threw {from}'s {what} away unread ({}).", reason.label())
            });
        }
    }
    for e in &now {
        match &e.kind {
            EventKind::State { host, from, to } => {
                if *to == TcpState::Closed && got_rst[host.index()] && *from == TcpState::TimeWait {
                    parts.push(format!(
                        "{host} received a RST in TIME_WAIT and, without RFC 1337's protection, dropped the connection at once: the 2MSL wait was cut short (TIME-WAIT assassination)."
                    ));
                } else if *to == TcpState::Closed
                    && got_rst[host.index()]
                    && from.fin_sent()
                {
                    parts.push(format!(
                        "{host} received a RST: the connection is torn down at once, before the close could finish and without TIME_WAIT, and any unsent or unread data is discarded."
                    ));
                } else if *to == TcpState::Closed && got_rst[host.index()] {
                    parts.push(format!(
                        "{host} received a RST: the connection is torn down at once, without FIN exchange or TIME_WAIT, and any unsent or unread data is discarded."
                    ));
                } else {
                    parts.push(explain_state(*host, *from, *to, &time_wait));
                }
            }
            EventKind::Timer {
                host,
                timer,
                action,
                ..
            } => match (timer, action) {
                (TimerKind::Retransmission, TimerAction::Expired) => parts.push(format!(
                    "{host}'s retransmission timer fired: nothing acknowledged what {host} sent, so it sends it again and doubles the timeout (exponential backoff, RFC 6298)."
                )),
                (TimerKind::TimeWait, TimerAction::Restarted) => parts.push(format!(
                    "A retransmitted FIN reached {host} in TIME_WAIT: {host} ACKs it again and restarts the 2MSL timer (RFC 9293 §3.10.7.4)."
                )),
                (TimerKind::LossProbe, TimerAction::Expired) => parts.push(format!(
                    "{host}'s tail loss probe fired: no ACK came for its last segment within about two round trips, so {host} sends it again once, without backing off its retransmission timer (RFC 8985)."
                )),
                (TimerKind::KeepInit, TimerAction::Expired) => parts.push(format!(
                    "{host}'s connect deadline (keepinit) passed before the handshake completed: {host} drops the connection and connect() fails with ETIMEDOUT, however many SYNs it has sent."
                )),
                (TimerKind::DelayedAck, TimerAction::Expired) => parts.push(format!(
                    "{host}'s delayed-ACK timer fired: nothing was ready to ride along, so {host} sends a bare ACK."
                )),
                _ => {}
            },
            EventKind::App {
                host,
                call,
                bytes: Some(n),
                error: Some(why),
                ..
            } if call.discards() => parts.push(match call {
                AppCall::UnsentDiscarded => format!(
                    "{n} bytes that {host}'s application wrote were never sent ({why}): its send() had already returned, so nothing but this trace tells."
                ),
                AppCall::UnackedDiscarded => format!(
                    "{n} bytes {host} had sent were never acknowledged when the connection ended ({why}): {} may never have received them.",
                    host.peer()
                ),
                _ => format!(
                    "{n} bytes that reached {host} were never read by its application and are thrown away ({why})."
                ),
            }),
            EventKind::End {
                budget: Some(stop), ..
            } => parts.push(format!(
                "The simulation stopped here: it reached the work budget's limit of {} {}, most likely because of `{}`.",
                stop.max, stop.limit, stop.field
            )),
            EventKind::App {
                host,
                call,
                error,
                stale_from_conn: stale,
                ..
            } => match (call, error, stale) {
                (AppCall::Abort, _, _) => parts.push(format!(
                    "{host}'s application closed with SO_LINGER 0 (abort): {host} sends a RST instead of a FIN and skips TIME_WAIT."
                )),
                (AppCall::Reset, _, _) => parts.push(format!(
                    "{host}'s application learns the connection was reset (ECONNRESET)."
                )),
                (AppCall::TimedOut, _, _) => parts.push(format!(
                    "{host} gave up after too many retransmissions (ETIMEDOUT)."
                )),
                (AppCall::Close, None, _) if !got_rst[host.index()]
                    && state_at(trace, *host, t) != TcpState::Closed =>
                {
                    parts.push(format!("{host}'s application called close()."))
                }
                (AppCall::Read, _, Some(conn)) => parts.push(format!(
                    "{host}'s application just read data that belongs to the previous connection (conn {}): an old duplicate outlived the too-short TIME_WAIT, its sequence number fell inside the new connection's window, and it was accepted as new data. This corruption is what 2×MSL of TIME_WAIT prevents.",
                    conn
                )),
                (AppCall::ShutdownWrite, None, _) => parts.push(format!(
                    "{host}'s application called shutdown(SHUT_WR): a half-close. {host} sends a FIN but can still receive."
                )),
                (AppCall::Close, None, _) if state_at(trace, *host, t) == TcpState::Closed && !got_rst[host.index()] => {
                    parts.push(format!(
                        "{host}'s application closed with data it never read: Linux sends a RST instead of a FIN (RFC 2525 §2.17)."
                    ))
                }
                _ => {}
            },
            _ => {}
        }
    }
    // What is in flight.
    let mut in_flight = 0;
    for (st, s) in trace.segments() {
        if st > t {
            break;
        }
        let end = s.arrive_ms.unwrap_or(f64::INFINITY);
        if s.duplicate && t < end {
            parts.push(format!(
                "An old copy of {}'s {} is still wandering the network (it reaches {} at {}).",
                s.from,
                what(s),
                s.to,
                format_clock(end)
            ));
        } else if s.fate == Fate::Delivered && t < end {
            in_flight += 1;
            parts.push(format!(
                "{}'s {}{} is on its way to {} (arrives at {}).",
                s.from,
                if s.retransmission {
                    "retransmitted "
                } else {
                    ""
                },
                what(s),
                s.to,
                format_clock(end)
            ));
        } else if s.fate == Fate::Dropped && st == last_t {
            parts.push(format!(
                "{}'s {} is lost on the link: {} will never see it.",
                s.from,
                what(s),
                s.to
            ));
        }
    }
    // What everyone waits for. Retransmission and probe timers only matter
    // while nothing is on its way that could stop them.
    let timers = active_timers_at(trace, t);
    let ack_held = timers.iter().any(|a| a.timer == TimerKind::DelayedAck);
    for a in &timers {
        let left = format_duration((a.deadline_ms - t).max(0.0));
        match a.timer {
            TimerKind::Retransmission if in_flight == 0 && !ack_held => parts.push(format!(
                "Nothing acknowledges what {} sent: its retransmission timer fires in {left}.",
                a.host
            )),
            TimerKind::LossProbe if in_flight == 0 && !ack_held => parts.push(format!(
                "Nothing acknowledges what {} sent: it sends a tail loss probe in {left}.",
                a.host
            )),
            TimerKind::KeepInit if in_flight == 0 && !ack_held => parts.push(format!(
                "{} gives up on the connect in {left} unless the handshake completes (keepinit).",
                a.host
            )),
            TimerKind::Retransmission | TimerKind::LossProbe | TimerKind::KeepInit => {}
            TimerKind::TimeWait => parts.push(format!("{} leaves TIME_WAIT in {left}.", a.host)),
            TimerKind::FinWait2 => {
                parts.push(format!("{}'s FIN_WAIT_2 timeout fires in {left}.", a.host))
            }
            TimerKind::DelayedAck if in_flight == 0 => parts.push(format!(
                "{} holds its ACK for up to {left} (delayed ACK), so that it can ride on data or a FIN.",
                a.host
            )),
            TimerKind::DelayedAck => {}
        }
    }
    if parts.is_empty() {
        let [a, b] = [Host::A, Host::B].map(|h| state_at(trace, h, t));
        if t >= trace.end_ms() && a == TcpState::Closed && b == TcpState::Closed {
            parts.push("Both sides are CLOSED: the connection has said goodbye.".to_string());
        } else {
            parts.push(format!(
                "A is in {}, B is in {}; nothing is in flight.",
                a.rfc_name(),
                b.rfc_name()
            ));
        }
    }
    parts.join(" ")
}
