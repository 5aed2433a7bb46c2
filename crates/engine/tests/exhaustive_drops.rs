//! Exhaustive drop checks (issue 9, item 5): every built-in scenario, on every
//! platform, with every pattern of up to two (three, ignored test) dropped
//! segments, must keep the engine's invariants.
//!
//! A drop pattern is made the way the playground's click-to-drop makes it
//! (`crates/web/src/edit.rs`, `drop_rule_for`): the segment sent at `t_ms` by host
//! H that is the k-th (1-based) segment from H at exactly that instant, not
//! counting duplicate copies, is dropped by
//! `DropRule { from: H, kind: Any, after_ms: t_ms, nth: k, count: 1 }`.
//! One drop: each delivered segment of the baseline trace. Two drops: for each
//! one-drop trace, each delivered segment of *that* trace that comes after the
//! first dropped one (a higher segment id: later in time, or at the same instant
//! later in order). Three drops likewise. Nothing is bounded or sampled.
//!
//! Every failure message names the built-in, the platform and the added drop
//! rules (scenario-file JSON): the built-in's file with that `platform` and
//! these rules appended to its `drops` reproduces the run (`farewell run`, or the
//! playground). Every violation in full is written to
//! `target/tmp/exhaustive_drops-N.txt`.

use farewell_engine::trace::{AppCall, EndReason, Fate, TimerAction, TimerKind, TraceEvent};
use farewell_engine::{
    builtin, simulate, DropRule, EventKind, Flags, Host, Platform, Scenario, SegmentKind, TcpState,
    Trace,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// One simulated run: which built-in, which platform, which drops were added.
struct Case<'a> {
    builtin: &'static str,
    platform: Platform,
    added: &'a [DropRule],
    scenario: &'a Scenario,
}

impl Case<'_> {
    /// How to reproduce this run.
    fn describe(&self) -> String {
        format!(
            "builtin {:?}, platform {}, timestamps {}, added drops {}",
            self.builtin,
            self.platform,
            self.scenario.profile().timestamps,
            serde_json::to_string(self.added).expect("drop rules serialize")
        )
    }
}

/// A violated invariant: its name (for the summary) and the whole story.
struct Violation {
    invariant: &'static str,
    message: String,
}

fn violation(
    invariant: &'static str,
    case: &Case,
    what: String,
    trace: Option<&Trace>,
) -> Violation {
    let mut message = format!("[{invariant}] {}: {what}", case.describe());
    if let Some(t) = trace {
        let _ = write!(message, "\n{}", t.to_text());
    }
    Violation { invariant, message }
}

// ----- running one case -----

/// Invariant: the simulation does not panic.
fn simulate_without_panic(case: &Case) -> Result<Trace, Violation> {
    catch_unwind(AssertUnwindSafe(|| simulate(case.scenario))).map_err(|payload| {
        let why = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic payload)".into());
        violation("no panic", case, format!("simulate panicked: {why}"), None)
    })
}

/// Invariant: the same scenario gives the same trace, byte for byte (JSON Lines).
fn deterministic(case: &Case, first: &Trace) -> Result<(), Violation> {
    let second = simulate_without_panic(case)?;
    let (a, b) = (first.to_json_lines(), second.to_json_lines());
    if a == b {
        return Ok(());
    }
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
    Err(violation(
        "determinism",
        case,
        format!(
            "two runs differ from JSON line {}: {:?} vs {:?}",
            line + 1,
            a.lines().nth(line),
            b.lines().nth(line)
        ),
        None,
    ))
}

// ----- what the trace says, per host and connection incarnation -----

/// What an application call tells the data check.
enum CallRole {
    Send,
    Read,
    /// Data this host's application wrote was thrown away (unsent or unacked).
    DiscardedOwn,
    /// Data the peer's application wrote was thrown away here (unread).
    DiscardedPeers,
    /// close(), shutdown(SHUT_WR) or abort(): the host starts closing.
    Closing,
    Other,
}

/// Exhaustive on purpose: a new application call must be classified here.
fn call_role(call: AppCall) -> CallRole {
    match call {
        AppCall::Send => CallRole::Send,
        AppCall::Read => CallRole::Read,
        AppCall::Close | AppCall::ShutdownWrite | AppCall::Abort => CallRole::Closing,
        AppCall::UnsentDiscarded | AppCall::UnackedDiscarded => CallRole::DiscardedOwn,
        AppCall::UnreadDiscarded => CallRole::DiscardedPeers,
        AppCall::Connect | AppCall::ReadEof | AppCall::Reset | AppCall::TimedOut => CallRole::Other,
    }
}

/// One host's view of one connection incarnation (the endpoint's `conn`
/// counter: 1 for its first connection, counted up at each connect() and each
/// SYN a listener takes; the trace labels each segment with its sender's).
#[derive(Default)]
struct Incarnation {
    sent_ok: u64,
    /// Bytes read, by the incarnation of the peer that sent them (the reader's
    /// own number unless `stale_from_conn` names another) and whether the read
    /// was flagged stale.
    reads: BTreeMap<(u32, bool), u64>,
    /// Bytes read so far at each EOF the application saw.
    eof_after: Vec<u64>,
    /// Application events with an error (discard events carry one too).
    explanations: Vec<String>,
    /// Bytes of this host's own writes thrown away (`unsent_discarded`,
    /// `unacked_discarded`).
    discarded_own: u64,
    /// Bytes of the peer's writes thrown away here (`unread_discarded`).
    discarded_peers: u64,
    entered_fin_wait_1: bool,
    entered_time_wait: bool,
    /// close() or abort() was called (the socket is orphaned).
    orphaned: bool,
    /// Index of its first close/shutdown_write/abort call.
    first_close_call: Option<usize>,
    /// Index of the transition to CLOSED or LISTEN that ended the incarnation.
    ended_at: Option<usize>,
}

impl Incarnation {
    fn read_total(&self) -> u64 {
        self.reads.values().sum()
    }
}

type IncId = (Host, u32);

/// The trace walked once: states, incarnations and per-incarnation tallies.
struct Walk {
    per: BTreeMap<IncId, Incarnation>,
    /// Incarnations that are the two ends of one connection: the start's
    /// established pair, and each incarnation that reached ESTABLISHED with the
    /// peer incarnation that sent the SYN-ACK or ACK that took it there. The two
    /// hosts' counters need not agree (a connect() whose SYN-ACK never arrived
    /// counts on one side only, and the listener may synchronize with the next).
    joined: Vec<(IncId, IncId)>,
    final_conn: [u32; 2],
    end_reason: EndReason,
}

/// A connection: the incarnations of both hosts that are its two ends.
struct Connection {
    members: Vec<IncId>,
}

impl Connection {
    fn of(&self, h: Host) -> impl Iterator<Item = IncId> + '_ {
        self.members.iter().copied().filter(move |(x, _)| *x == h)
    }
    fn contains(&self, id: IncId) -> bool {
        self.members.contains(&id)
    }
    fn label(&self) -> String {
        let side = |h: Host| {
            let ks: Vec<String> = self.of(h).map(|(_, k)| k.to_string()).collect();
            format!(
                "{h} conn {}",
                if ks.is_empty() {
                    "-".into()
                } else {
                    ks.join("+")
                }
            )
        };
        format!("{} / {}", side(Host::A), side(Host::B))
    }
}

/// Groups the incarnations into connections (connected components of `joined`).
fn connections(w: &Walk) -> Vec<Connection> {
    let mut group: BTreeMap<IncId, usize> =
        w.per.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    for (x, y) in &w.joined {
        for id in [x, y] {
            let n = group.len();
            group.entry(*id).or_insert(n);
        }
        let (gx, gy) = (group[x], group[y]);
        for g in group.values_mut() {
            if *g == gy {
                *g = gx;
            }
        }
    }
    let mut by_group: BTreeMap<usize, Vec<IncId>> = BTreeMap::new();
    for (id, g) in group {
        // Incarnation 0 is a host before its first connection (a listener).
        if id.1 > 0 {
            by_group.entry(g).or_default().push(id);
        }
    }
    by_group
        .into_values()
        .map(|members| Connection { members })
        .collect()
}

/// Invariant: exactly one start first, one end last, times non-decreasing,
/// every state change leaves the state the host was in, segment ids count up
/// from 0, each segment's incarnation is its sender's, and the end event names
/// the hosts' final states. Returns the walk the other invariants use.
fn well_formed(case: &Case, t: &Trace) -> Result<Walk, Violation> {
    let bad = |what: String| violation("well-formed trace", case, what, Some(t));
    let ev = &t.events;
    let (first, last) = match (ev.first(), ev.last()) {
        (Some(f), Some(l)) if ev.len() >= 2 => (f, l),
        _ => return Err(bad(format!("{} events: no start and end", ev.len()))),
    };
    let EventKind::Start { a, b, platform, .. } = first.kind else {
        return Err(bad("the first event is not the start".into()));
    };
    if platform != case.platform {
        return Err(bad(format!("start names platform {platform}")));
    }
    let EventKind::End {
        reason,
        a: end_a,
        b: end_b,
        ..
    } = last.kind
    else {
        return Err(bad("the last event is not the end".into()));
    };
    let mut state = [a, b];
    // A scenario without a handshake starts both hosts in their first connection.
    let mut conn = state.map(|s| u32::from(s == TcpState::Established));
    let mut w = Walk {
        per: BTreeMap::new(),
        joined: Vec::new(),
        final_conn: [0; 2],
        end_reason: reason,
    };
    if conn == [1, 1] {
        w.joined.push(((Host::A, 1), (Host::B, 1)));
    }
    let mut next_id = 0u32;
    for (i, e) in ev.iter().enumerate() {
        if i > 0 && e.t_ms < ev[i - 1].t_ms {
            return Err(bad(format!(
                "event {i} at {} ms comes after one at {} ms",
                e.t_ms,
                ev[i - 1].t_ms
            )));
        }
        match &e.kind {
            EventKind::Start { .. } if i != 0 => {
                return Err(bad(format!("a second start event at index {i}")))
            }
            EventKind::End { .. } if i != ev.len() - 1 => {
                return Err(bad(format!("an end event at index {i} is not the last")))
            }
            EventKind::Start { .. } | EventKind::End { .. } | EventKind::Timer { .. } => {}
            // A discarded segment is one that reached that host just now.
            EventKind::Discard { host, seg_id, .. } => {
                let arrived = ev[..i].iter().any(|x| {
                    matches!(&x.kind, EventKind::Segment(q)
                        if q.id == *seg_id && q.to == *host && q.arrive_ms == Some(e.t_ms))
                });
                if !arrived {
                    return Err(bad(format!(
                        "event {i}: {host} discards segment {seg_id}, which did not just reach it"
                    )));
                }
            }
            EventKind::Segment(s) => {
                if s.id != next_id {
                    return Err(bad(format!("segment id {} where {next_id} was due", s.id)));
                }
                next_id += 1;
                // A listener's SYN-ACK is sent from a new incarnation (the endpoint
                // begins it before sending, and records LISTEN → SYN_RECEIVED after),
                // and so is one answering a SYN that a TIME_WAIT let through.
                // (A connect() from a listening host sends a bare SYN, counted by
                // its `connect` event instead.)
                if s.flags.contains(Flags::SYN)
                    && s.flags.contains(Flags::ACK)
                    && matches!(state[s.from.index()], TcpState::Listen | TcpState::TimeWait)
                {
                    conn[s.from.index()] += 1;
                }
                if s.conn != conn[s.from.index()] {
                    return Err(bad(format!(
                        "segment {} from {} says conn {} but its sender is in incarnation {}",
                        s.id,
                        s.from,
                        s.conn,
                        conn[s.from.index()]
                    )));
                }
            }
            EventKind::State { host, from, to } => {
                let h = host.index();
                if *from != state[h] {
                    return Err(bad(format!(
                        "event {i}: {host} {from} → {to} but {host} was in {}",
                        state[h]
                    )));
                }
                state[h] = *to;
                // Which peer incarnation this one synchronized with: the sender
                // of the SYN-ACK or ACK that arrived just now.
                if *to == TcpState::Established
                    && matches!(from, TcpState::SynSent | TcpState::SynReceived)
                {
                    let by = ev[..i].iter().rev().find_map(|x| match &x.kind {
                        EventKind::Segment(q) if q.to == *host && q.arrive_ms == Some(e.t_ms) => {
                            Some(q.conn)
                        }
                        _ => None,
                    });
                    match by {
                        Some(c) => w.joined.push(((*host, conn[h]), (host.peer(), c))),
                        None => {
                            return Err(bad(format!(
                                "event {i}: {host} {from} → {to} with no segment arriving"
                            )))
                        }
                    }
                }
                let inc = w.per.entry((*host, conn[h])).or_default();
                match to {
                    TcpState::FinWait1 => inc.entered_fin_wait_1 = true,
                    TcpState::TimeWait => inc.entered_time_wait = true,
                    TcpState::Closed | TcpState::Listen if inc.ended_at.is_none() => {
                        inc.ended_at = Some(i)
                    }
                    _ => {}
                }
            }
            EventKind::App {
                host,
                call,
                bytes,
                error,
                stale_from_conn,
            } => {
                let h = host.index();
                if *call == AppCall::Connect && error.is_none() {
                    conn[h] += 1;
                }
                let k = conn[h];
                let inc = w.per.entry((*host, k)).or_default();
                if let Some(err) = error {
                    inc.explanations
                        .push(format!("{} ms {host} {} → {err}", e.t_ms, call.label()));
                }
                let n = u64::from(bytes.unwrap_or(0));
                match call_role(*call) {
                    CallRole::Send if error.is_none() => inc.sent_ok += n,
                    CallRole::Read => {
                        // Where the bytes really came from: the data segment that
                        // arrived at the reader just now (the one of this length
                        // if several did), not what the read event claims.
                        let arriving = |q: &&TraceEvent| match &q.kind {
                            EventKind::Segment(q) => {
                                q.to == *host && q.arrive_ms == Some(e.t_ms) && q.len > 0
                            }
                            _ => false,
                        };
                        let source = |exact: bool| {
                            ev[..i]
                                .iter()
                                .rev()
                                .filter(arriving)
                                .find_map(|q| match &q.kind {
                                    EventKind::Segment(q) if !exact || u64::from(q.len) >= n => {
                                        Some(q.conn)
                                    }
                                    _ => None,
                                })
                        };
                        let from = match source(true).or_else(|| source(false)) {
                            Some(c) => c,
                            None => {
                                return Err(bad(format!(
                                    "event {i}: {host} read {n} bytes with no data segment arriving"
                                )))
                            }
                        };
                        *inc.reads
                            .entry((from, stale_from_conn.is_some()))
                            .or_default() += n;
                    }
                    CallRole::DiscardedOwn => inc.discarded_own += n,
                    CallRole::DiscardedPeers => inc.discarded_peers += n,
                    CallRole::Closing => {
                        if *call != AppCall::ShutdownWrite {
                            inc.orphaned = true;
                        }
                        inc.first_close_call.get_or_insert(i);
                    }
                    CallRole::Send | CallRole::Other => {}
                }
                if *call == AppCall::ReadEof {
                    inc.eof_after.push(inc.read_total());
                }
            }
        }
    }
    // A work limit may cut the events of its last step short.
    if !reason.is_budget() && [end_a, end_b] != state {
        return Err(bad(format!(
            "the end says A {end_a}, B {end_b} but the state changes leave A {}, B {}",
            state[0], state[1]
        )));
    }
    w.final_conn = conn;
    Ok(w)
}

/// Invariant: the end reason is a known one and agrees with the final states.
/// The match is exhaustive so that a new end reason fails to compile here and
/// someone decides what it means for these checks.
fn end_reason_known(case: &Case, t: &Trace, w: &Walk) -> Result<(), Violation> {
    let Some(EventKind::End { a, b, .. }) = t.events.last().map(|e| &e.kind) else {
        unreachable!("checked by well_formed");
    };
    let closed = |s: &TcpState| matches!(s, TcpState::Closed | TcpState::Listen);
    let ok = match w.end_reason {
        EndReason::AllClosed => closed(a) && closed(b),
        // Nothing left to happen: some host must still be open.
        EndReason::Quiescent => !(closed(a) && closed(b)),
        EndReason::TimeLimit | EndReason::EventLimit | EndReason::SegmentLimit => true,
    };
    if ok {
        Ok(())
    } else {
        Err(violation(
            "end reason",
            case,
            format!("ended {:?} with A {a}, B {b}", w.end_reason),
            Some(t),
        ))
    }
}

fn limit_ended(w: &Walk) -> bool {
    match w.end_reason {
        EndReason::TimeLimit | EndReason::EventLimit | EndReason::SegmentLimit => true,
        EndReason::AllClosed | EndReason::Quiescent => false,
    }
}

/// One direction of one connection, tallied.
struct Flow {
    label: String,
    sent_ok: u64,
    /// Read from this connection's own segments.
    fresh: u64,
    /// Read from another connection's segments (an old duplicate).
    stale: u64,
    /// Reads flagged stale that came from this connection, or unflagged reads
    /// that came from another: `stale_from_conn` is wrong.
    misflagged: Vec<String>,
    eof_after: Vec<u64>,
    explanations: Vec<String>,
    discarded_sender: u64,
    discarded_receiver: u64,
    /// A time or work limit ended the run while this connection was alive.
    cut_short: bool,
    /// The receiver's side of the connection was still open when the run
    /// ended, or its application never called close() or abort() on it (after
    /// a shutdown() the socket can reach TIME_WAIT and CLOSED while the
    /// application still holds it): bytes it never read are still in its
    /// receive buffer, not lost.
    receiver_app_holds: bool,
}

fn flows(w: &Walk) -> Vec<(Host, Flow)> {
    let empty = Incarnation::default();
    let get = |id: IncId| w.per.get(&id).unwrap_or(&empty);
    let mut out = Vec::new();
    let conns = connections(w);
    for c in &conns {
        for sender in Host::BOTH {
            let receiver = sender.peer();
            let mut f = Flow {
                label: format!("{sender}→{receiver}, {}", c.label()),
                sent_ok: c.of(sender).map(|id| get(id).sent_ok).sum(),
                fresh: 0,
                stale: 0,
                misflagged: Vec::new(),
                eof_after: Vec::new(),
                explanations: c
                    .members
                    .iter()
                    .flat_map(|id| get(*id).explanations.clone())
                    .collect(),
                discarded_sender: c.of(sender).map(|id| get(id).discarded_own).sum(),
                discarded_receiver: c.of(receiver).map(|id| get(id).discarded_peers).sum(),
                cut_short: limit_ended(w)
                    && c.members.iter().any(|(h, k)| w.final_conn[h.index()] == *k),
                receiver_app_holds: c.of(receiver).any(|id| {
                    let r = get(id);
                    !r.orphaned || (w.final_conn[receiver.index()] == id.1 && r.ended_at.is_none())
                }),
            };
            for (_, m) in c.of(receiver) {
                let r = get((receiver, m));
                f.eof_after.extend(&r.eof_after);
                for (&(from, flagged), &n) in &r.reads {
                    let own = c.contains((sender, from));
                    if own {
                        f.fresh += n;
                    } else {
                        f.stale += n;
                    }
                    if own == flagged {
                        f.misflagged.push(format!(
                            "{receiver} conn {m} read {n} bytes from {sender} conn {from} {}",
                            if flagged {
                                "flagged stale"
                            } else {
                                "not flagged stale"
                            }
                        ));
                    }
                }
            }
            out.push((receiver, f));
        }
    }
    out
}

/// Invariant: a read is flagged `stale_from_conn` exactly when its bytes came
/// from another connection than the reader's (incarnations matched through the
/// handshake, not by counting: see [`Walk::joined`]).
fn stale_flag_right(case: &Case, t: &Trace, w: &Walk) -> Result<(), Violation> {
    for (_, f) in flows(w) {
        if !f.misflagged.is_empty() {
            return Err(violation(
                "stale_from_conn names the right connection",
                case,
                format!("{}: {}", f.label, f.misflagged.join("; ")),
                Some(t),
            ));
        }
    }
    Ok(())
}

/// Invariant: per direction and connection, the receiver's application reads
/// exactly the bytes the sender's application sent successfully, never more,
/// and sees EOF only after all of them; a shortfall needs an event saying why on
/// that connection (an application error on either host, a discard event, stale
/// data read in their place) or a run cut short by a limit while it was alive.
/// A host whose application never reads must read nothing, and any data sent to
/// it needs such an explanation too.
fn data_exactly_once_or_explained(case: &Case, t: &Trace, w: &Walk) -> Result<(), Violation> {
    for (receiver, f) in flows(w) {
        let reads = case.scenario.hosts.get(receiver).app_reads;
        let fail = |what: String| {
            Err(violation(
                "data exactly once",
                case,
                format!("{}: {what}", f.label),
                Some(t),
            ))
        };
        if !reads && f.fresh + f.stale > 0 {
            return fail(format!(
                "{receiver} never reads but read {} bytes",
                f.fresh + f.stale
            ));
        }
        if f.fresh > f.sent_ok {
            return fail(format!(
                "{receiver} read {} bytes of {} sent",
                f.fresh, f.sent_ok
            ));
        }
        if let Some(&at_eof) = f.eof_after.iter().find(|&&n| n != f.sent_ok) {
            return fail(format!(
                "{receiver} saw EOF after reading {at_eof} of {} bytes",
                f.sent_ok
            ));
        }
        let missing = f.sent_ok - f.fresh;
        let explained = missing == 0
            || !f.explanations.is_empty()
            || (reads && f.stale >= missing)
            || (!reads && f.receiver_app_holds)
            || f.cut_short;
        if !explained {
            return fail(format!(
                "{} bytes sent, {} read (and {} stale), and no event says why",
                f.sent_ok, f.fresh, f.stale
            ));
        }
    }
    Ok(())
}

/// Invariant (stricter than an error event somewhere on the connection): the
/// bytes lost in each direction of a connection are at most those its discard
/// events name (the sender's `unsent_discarded` + `unacked_discarded`, the
/// receiver's `unread_discarded`) plus stale bytes read in their place, unless a
/// limit cut the run short while the connection was alive.
fn lost_bytes_are_counted(case: &Case, t: &Trace, w: &Walk) -> Result<(), Violation> {
    for (receiver, f) in flows(w) {
        let missing = f.sent_ok.saturating_sub(f.fresh);
        let counted = f.discarded_sender + f.discarded_receiver + f.stale;
        let held = !case.scenario.hosts.get(receiver).app_reads && f.receiver_app_holds;
        if missing > counted && !f.cut_short && !held {
            return Err(violation(
                "lost bytes counted by discard events",
                case,
                format!(
                    "{}: {} bytes sent, {} read (and {} stale); discard events name {} \
                     (sender unsent/unacked) + {} ({receiver} unread); errors: {:?}",
                    f.label,
                    f.sent_ok,
                    f.fresh,
                    f.stale,
                    f.discarded_sender,
                    f.discarded_receiver,
                    f.explanations
                ),
                Some(t),
            ));
        }
    }
    Ok(())
}

/// Invariant: the active closer of each connection (the first host to call
/// close/shutdown_write/abort, and any host that sent its FIN first, i.e.
/// entered FIN_WAIT_1: both hosts of a simultaneous close) passes through
/// TIME_WAIT. The only ways around it, each checked at the instant the host
/// leaves the connection (its transition to CLOSED or LISTEN):
/// a RST it sent or received then; a retransmission timer expiry (retries
/// exhausted, `orphan_retries` for an orphan) or FIN_WAIT_2 timer expiry then; an
/// abort(); a close() before the connection was established (in SYN_SENT or
/// LISTEN). A closer still open at the end is fine if a time or event limit cut
/// the run short, or if nothing was left to happen while it waits in FIN_WAIT_2
/// with no FIN_WAIT_2 timer (none on this platform, or shutdown() only).
fn active_closer_passes_time_wait(case: &Case, t: &Trace, w: &Walk) -> Result<(), Violation> {
    let ev = &t.events;
    let fin_wait_2_timer = case.scenario.profile().fin_wait_2_timeout.is_some();
    let closers = connections(w).into_iter().flat_map(|c| {
        let first = c
            .members
            .iter()
            .filter_map(|id| {
                w.per
                    .get(id)
                    .and_then(|inc| inc.first_close_call)
                    .map(|i| (i, *id))
            })
            .min()
            .map(|(_, id)| id);
        c.members.into_iter().filter(move |id| {
            Some(*id) == first || w.per.get(id).is_some_and(|inc| inc.entered_fin_wait_1)
        })
    });
    for (h, k) in closers {
        let inc = &w.per[&(h, k)];
        if inc.entered_time_wait {
            continue;
        }
        let Some(i) = inc.ended_at else {
            let final_state = match ev.last().map(|e| &e.kind) {
                Some(EventKind::End { a, b, .. }) => [*a, *b][h.index()],
                _ => unreachable!("checked by well_formed"),
            };
            let still_open_ok = w.final_conn[h.index()] == k
                && (limit_ended(w)
                    || (w.end_reason == EndReason::Quiescent
                        && final_state == TcpState::FinWait2
                        && !(inc.orphaned && fin_wait_2_timer)));
            if still_open_ok {
                continue;
            }
            return Err(violation(
                "active closer TIME_WAIT",
                case,
                format!(
                    "{h} (conn {k}) closed actively, never reached TIME_WAIT and is left in {final_state} ({:?})",
                    w.end_reason
                ),
                Some(t),
            ));
        };
        let at = ev[i].t_ms;
        let EventKind::State { from, to, .. } = ev[i].kind else {
            unreachable!("ended_at points at a state change");
        };
        let mut state_before = from;
        let same_instant = ev[..i].iter().rev().take_while(|e| e.t_ms == at);
        let cause_here = same_instant.clone().any(|e| match &e.kind {
            EventKind::Segment(s) => s.from == h && s.flags.contains(Flags::RST),
            EventKind::Timer {
                host,
                timer: TimerKind::Retransmission | TimerKind::FinWait2,
                action: TimerAction::Expired,
                ..
            } => *host == h,
            EventKind::App {
                host,
                call: AppCall::Abort | AppCall::TimedOut,
                ..
            } => *host == h,
            _ => false,
        });
        // close() in a state with no connection to close.
        let mut unestablished_close = false;
        for e in same_instant {
            match &e.kind {
                EventKind::State { host, from, .. } if *host == h => state_before = *from,
                EventKind::App {
                    host,
                    call: AppCall::Close,
                    ..
                } if *host == h => {
                    unestablished_close |=
                        matches!(state_before, TcpState::SynSent | TcpState::Listen)
                }
                _ => {}
            }
        }
        let rst_received = ev[..i].iter().any(|e| match &e.kind {
            EventKind::Segment(s) => {
                s.to == h
                    && s.flags.contains(Flags::RST)
                    && s.fate == Fate::Delivered
                    && s.arrive_ms == Some(at)
            }
            _ => false,
        });
        if !(cause_here || unestablished_close || rst_received) {
            return Err(violation(
                "active closer TIME_WAIT",
                case,
                format!(
                    "{h} (conn {k}) closed actively but went {from} → {to} at {at} ms without TIME_WAIT, RST, timeout or abort"
                ),
                Some(t),
            ));
        }
    }
    Ok(())
}

/// Checks one run against every invariant; returns its trace (to drop further
/// segments of) unless it panicked, and every invariant it breaks.
fn check(case: &Case, parent: Option<(&Trace, u32)>) -> (Option<Trace>, Vec<Violation>) {
    let t = match simulate_without_panic(case) {
        Ok(t) => t,
        Err(v) => return (None, vec![v]),
    };
    let mut found: Vec<Violation> = Vec::new();
    found.extend(deterministic(case, &t).err());
    if let Some((p, id)) = parent {
        found.extend(rule_drops_its_segment(case, p, &t, id).err());
    }
    match well_formed(case, &t) {
        Err(v) => found.push(v),
        Ok(w) => {
            let checks = [
                end_reason_known,
                stale_flag_right,
                data_exactly_once_or_explained,
                lost_bytes_are_counted,
                active_closer_passes_time_wait,
            ];
            found.extend(checks.iter().filter_map(|f| f(case, &t, &w).err()));
        }
    }
    (Some(t), found)
}

// ----- enumerating drop patterns -----

/// The delivered, non-duplicate segments of `t` with an id above `after`, each
/// with the rule that drops exactly it.
fn droppable(t: &Trace, after: Option<u32>) -> Vec<(u32, DropRule)> {
    let mut out = Vec::new();
    let mut same_instant: Vec<(f64, Host)> = Vec::new();
    for (t_ms, s) in t.segments().filter(|(_, s)| !s.duplicate) {
        if same_instant.first().is_some_and(|(t0, _)| *t0 != t_ms) {
            same_instant.clear();
        }
        same_instant.push((t_ms, s.from));
        let nth = same_instant.iter().filter(|(_, h)| *h == s.from).count() as u32;
        if s.fate == Fate::Delivered && after.is_none_or(|a| s.id > a) {
            out.push((
                s.id,
                DropRule {
                    from: s.from,
                    kind: SegmentKind::Any,
                    after_ms: t_ms,
                    nth,
                    count: 1,
                },
            ));
        }
    }
    out
}

/// Invariant of the enumeration itself (the premise of click-to-drop): the rule
/// drops the segment it was made for, and leaves the rest of the trace before it
/// as it was.
fn rule_drops_its_segment(
    case: &Case,
    parent: &Trace,
    t: &Trace,
    id: u32,
) -> Result<(), Violation> {
    let find = |tr: &Trace| {
        tr.segments()
            .find(|(_, s)| s.id == id)
            .map(|(at, s)| (at, s.clone()))
    };
    let ok = match (find(parent), find(t)) {
        (Some((pt, ps)), Some((ct, cs))) => {
            pt == ct
                && cs.fate == Fate::Dropped
                && ps.from == cs.from
                && ps.seq == cs.seq
                && ps.flags == cs.flags
                && ps.len == cs.len
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(violation(
            "drop rule addresses its segment",
            case,
            format!("the last rule should drop segment {id}"),
            Some(t),
        ))
    }
}

#[derive(Default)]
struct Tally {
    /// Runs by number of added drops (0, 1, 2, 3).
    runs: [u64; 4],
    /// Runs that broke at least one invariant.
    failed_runs: u64,
    violations: Vec<Violation>,
}

/// Checks `scenario` with `added` drops and, below `max_drops`, every pattern
/// with one more drop after the last one.
fn explore(
    builtin: &'static str,
    platform: Platform,
    scenario: &mut Scenario,
    added: &mut Vec<DropRule>,
    parent: Option<(&Trace, u32)>,
    max_drops: usize,
    tally: &mut Tally,
) {
    tally.runs[added.len()] += 1;
    let case = Case {
        builtin,
        platform,
        added,
        scenario,
    };
    let (t, mut found) = check(&case, parent);
    tally.failed_runs += u64::from(!found.is_empty());
    tally.violations.append(&mut found);
    // Further drops are explored after a broken invariant too; not after a panic.
    let Some(t) = t else {
        return;
    };
    if added.len() == max_drops {
        return;
    }
    for (id, rule) in droppable(&t, parent.map(|(_, id)| id)) {
        scenario.drops.push(rule.clone());
        added.push(rule);
        explore(
            builtin,
            platform,
            scenario,
            added,
            Some((&t, id)),
            max_drops,
            tally,
        );
        added.pop();
        scenario.drops.pop();
    }
}

/// Every built-in × platform × timestamps off (as the built-ins ship) and on ×
/// pattern of up to `max_drops` drops, on all cores.
fn run_all(max_drops: usize) -> Tally {
    let jobs: Vec<(&'static str, Platform, bool)> = builtin::ids()
        .flat_map(|id| Platform::ALL.into_iter().map(move |p| (id, p)))
        .flat_map(|(id, p)| [(id, p, false), (id, p, true)])
        .collect();
    let next = AtomicUsize::new(0);
    let total = Mutex::new(Tally::default());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut tally = Tally::default();
                while let Some(&(id, platform, timestamps)) =
                    jobs.get(next.fetch_add(1, Ordering::Relaxed))
                {
                    let mut scenario = builtin::get(id).expect("a built-in id");
                    scenario.platform = platform;
                    scenario.tunables.timestamps = Some(timestamps);
                    explore(
                        id,
                        platform,
                        &mut scenario,
                        &mut Vec::new(),
                        None,
                        max_drops,
                        &mut tally,
                    );
                }
                let mut total = total.lock().unwrap();
                for (t, n) in total.runs.iter_mut().zip(tally.runs) {
                    *t += n;
                }
                total.failed_runs += tally.failed_runs;
                total.violations.append(&mut tally.violations);
            });
        }
    });
    let mut tally = total.into_inner().unwrap();
    // Workers finish in any order; report in a stable one.
    tally.violations.sort_by(|a, b| a.message.cmp(&b.message));
    tally
}

/// Prints the counts and fails with every violation: all of them, in full, go
/// to a file under the target directory; the panic message groups them by
/// invariant, the first few of each in full and up to [`LISTED`] more by their
/// reproduction line, and says how many it left out.
fn report(max_drops: usize, tally: &Tally, took: std::time::Duration) {
    const IN_FULL: usize = 3;
    const LISTED: usize = 40;
    let total_runs = tally.runs.iter().sum::<u64>();
    let runs: Vec<String> = (0..=max_drops)
        .map(|d| format!("{} with {d} drops", tally.runs[d]))
        .collect();
    eprintln!(
        "exhaustive drops: {total_runs} runs ({}) in {:.1} s, {} violations",
        runs.join(", "),
        took.as_secs_f64(),
        tally.violations.len()
    );
    if tally.violations.is_empty() {
        return;
    }
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("exhaustive_drops-{max_drops}.txt"));
    let everything: Vec<&str> = tally
        .violations
        .iter()
        .map(|v| v.message.as_str())
        .collect();
    let written = match std::fs::write(&file, everything.join("\n\n")) {
        Ok(()) => format!("every violation in full: {}", file.display()),
        Err(e) => format!("could not write {}: {e}", file.display()),
    };
    let mut by_invariant: BTreeMap<&str, Vec<&Violation>> = BTreeMap::new();
    for v in &tally.violations {
        by_invariant.entry(v.invariant).or_default().push(v);
    }
    let mut out = String::new();
    for (name, vs) in &by_invariant {
        let _ = writeln!(out, "\n===== {name}: {} runs =====", vs.len());
        for v in vs.iter().take(IN_FULL) {
            let _ = writeln!(out, "{}\n", v.message);
        }
        for v in vs.iter().skip(IN_FULL).take(LISTED) {
            let _ = writeln!(out, "{}", v.message.lines().next().unwrap_or(""));
        }
        if vs.len() > IN_FULL + LISTED {
            let _ = writeln!(out, "... and {} more", vs.len() - IN_FULL - LISTED);
        }
    }
    panic!(
        "{} of {total_runs} runs break an invariant, {} violations ({written}):{out}",
        tally.failed_runs,
        tally.violations.len(),
    );
}

#[test]
fn every_builtin_on_every_platform_with_up_to_two_drops_keeps_the_invariants() {
    let start = Instant::now();
    let tally = run_all(2);
    report(2, &tally, start.elapsed());
}

#[test]
#[ignore = "exhaustive: run by cargo xtask test --exhaustive"]
fn every_builtin_on_every_platform_with_up_to_three_drops_keeps_the_invariants() {
    let start = Instant::now();
    let tally = run_all(3);
    report(3, &tally, start.elapsed());
}

// ----- every state × call, at random -----

/// Any application call in any state: random calls (send, close,
/// shutdown_write, abort, connect) from both hosts at random times, with or
/// without the handshake, readers and non-readers, and random drops and loss,
/// on every platform. RFC 9293 §3.10 defines each call in each state; whatever
/// the pair, the same invariants hold (no byte lost without an event, TIME_WAIT
/// unless something explains its absence, …).
#[path = "strategies.rs"]
mod strategies;

mod any_call_in_any_state {
    use super::strategies::{drop_rule, host};
    use super::*;
    use farewell_engine::{Action, Do};
    use proptest::prelude::*;

    fn call() -> impl Strategy<Value = Do> {
        prop_oneof![
            3 => Just(Do::Send),
            2 => Just(Do::Close),
            1 => Just(Do::ShutdownWrite),
            1 => Just(Do::Abort),
            1 => Just(Do::Connect),
        ]
    }

    fn action() -> impl Strategy<Value = Action> {
        (host(), call(), 0.0..3000.0f64, any::<bool>(), 1u32..4000).prop_map(
            |(host, what, t, after_eof, bytes)| Action {
                at_ms: (!after_eof).then_some(t.round()),
                after_eof_ms: after_eof.then_some((t / 10.0).round()),
                host,
                what,
                bytes: (what == Do::Send).then_some(bytes),
            },
        )
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        (
            prop::sample::select(Platform::ALL.to_vec()),
            any::<bool>(),
            [any::<bool>(), any::<bool>()],
            prop::collection::vec(action(), 1..8),
            prop::collection::vec(drop_rule(), 0..3),
            prop_oneof![3 => Just(0.0), 1 => 0.0..0.3f64],
            any::<u64>(),
        )
            .prop_map(|(platform, handshake, reads, actions, drops, loss, seed)| {
                let mut s = Scenario::from_json(r#"{"actions":[]}"#).unwrap();
                s.platform = platform;
                s.handshake = handshake;
                s.seed = seed;
                s.link.loss = loss;
                for (h, cfg) in [(Host::A, &mut s.hosts.a), (Host::B, &mut s.hosts.b)] {
                    cfg.app_reads = reads[h.index()];
                    // Both listen, so a connect from either side is valid.
                    cfg.listen = Some(true);
                }
                s.actions = actions
                    .into_iter()
                    // A host that never reads never sees EOF.
                    .filter(|a| a.after_eof_ms.is_none() || reads[a.host.index()])
                    .collect();
                s.drops = drops;
                s
            })
    }

    fn cases() -> u32 {
        // As in the other property tests: 50× with FAREWELL_EXHAUSTIVE=1.
        if std::env::var("FAREWELL_EXHAUSTIVE").is_ok_and(|v| v == "1") {
            250_000
        } else {
            5_000
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

        #[test]
        fn random_calls_in_every_state_keep_the_invariants(s in scenario()) {
            prop_assume!(s.validate().is_ok());
            let case = Case { builtin: "random", platform: s.platform, added: &[], scenario: &s };
            let (_, found) = check(&case, None);
            let scenario = serde_json::to_string(&s).unwrap();
            prop_assert!(
                found.is_empty(),
                "scenario {scenario}\n{}",
                found.iter().map(|v| v.message.as_str()).collect::<Vec<_>>().join("\n\n")
            );
        }
    }
}
