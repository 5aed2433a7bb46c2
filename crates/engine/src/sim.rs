//! The discrete-event simulator: two [`Endpoint`]s, a [`Link`] and the scenario's
//! application calls, run over simulated time into a trace.
//!
//! A run is a pure function of the scenario (seed included): events at the same
//! instant run in the order they were scheduled, time is integer microseconds, and
//! the only randomness is a PCG RNG (`Pcg64Mcg`, value-stable across rand_pcg
//! releases) seeded from the scenario.

use crate::budget::{Usage, MAX_STEPS};
use crate::endpoint::{Config, Endpoint, EndpointEvent};
use crate::link::Link;
use crate::scenario::{Do, Scenario, DEFAULT_TIME_LIMIT_MS};
use crate::segment::{Flags, Host, Segment, Timestamps};
use crate::state::TcpState;
use crate::time::{Duration, Instant};
use crate::trace::{DropCause, EndReason, EventKind, Fate, SegmentEvent, Trace, TraceEvent};
use std::collections::BinaryHeap;

/// Where trace events go. `Vec<TraceEvent>` keeps them; [`CountingSink`] only
/// counts them (benchmarks).
pub trait TraceSink {
    fn record(&mut self, event: TraceEvent);
}

impl TraceSink for Vec<TraceEvent> {
    fn record(&mut self, event: TraceEvent) {
        self.push(event);
    }
}

/// Counts events without keeping them.
#[derive(Debug, Default)]
pub struct CountingSink(pub u64);

impl TraceSink for CountingSink {
    fn record(&mut self, _event: TraceEvent) {
        self.0 += 1;
    }
}

/// Runs a (validated) scenario and returns its trace.
pub fn simulate(scenario: &Scenario) -> Trace {
    let mut events = Vec::with_capacity(64);
    Simulation::default().run(scenario, &mut events);
    Trace { events }
}

/// Runs a scenario into any sink; returns why the run ended.
pub fn simulate_into<S: TraceSink>(scenario: &Scenario, sink: &mut S) -> EndReason {
    Simulation::default().run(scenario, sink)
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Action(usize),
    Deliver {
        to: Host,
        seg: SegmentKey,
        conn: u32,
        /// The segment's trace `id`.
        id: u32,
    },
    /// A host's timer is due (see [`Queue::set_timer`]).
    Timer {
        host: Host,
    },
}

/// The events to come: a binary heap of small keys, ordered by time and then
/// by scheduling order, over a slab holding the events themselves, and each
/// host's next timer deadline beside it. The heap moves 24-byte keys as it
/// sifts, not 48-byte events, and a timer set again replaces its deadline
/// instead of leaving a stale entry to pop: with the events and every
/// deadline in the heap, pushing and popping were a fifth of a lifecycle's
/// work.
#[derive(Debug, Default)]
struct Queue {
    heap: BinaryHeap<Due>,
    slab: Vec<Ev>,
    /// Slab slots whose event has run.
    free: Vec<u32>,
    /// Each host's timer: when it is due, and its place in scheduling order
    /// (when it was set), so that it runs among the events due at the same
    /// instant as it would from the heap.
    timers: [Option<(Instant, u64)>; 2],
    /// Events and timers scheduled so far this run.
    scheduled: u64,
}

impl Queue {
    fn clear(&mut self) {
        self.heap.clear();
        self.slab.clear();
        self.free.clear();
        self.timers = [None; 2];
        self.scheduled = 0;
    }

    fn push(&mut self, at: Instant, ev: Ev) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = ev;
                slot
            }
            None => {
                self.slab.push(ev);
                (self.slab.len() - 1) as u32
            }
        };
        self.scheduled += 1;
        self.heap.push(Due {
            at,
            order: self.scheduled,
            slot,
        });
    }

    /// Sets (or, with `None`, clears) `host`'s timer, if `deadline` differs
    /// from the one set; a timer set again is scheduled anew.
    fn set_timer(&mut self, host: Host, deadline: Option<Instant>) {
        let timer = &mut self.timers[host.index()];
        if timer.map(|(at, _)| at) != deadline {
            self.scheduled += 1;
            *timer = deadline.map(|at| (at, self.scheduled));
        }
    }

    /// The earliest event or timer, and when it is due.
    fn pop(&mut self) -> Option<(Instant, Ev)> {
        let mut next = self.heap.peek().map(|d| (d.at, d.order, None));
        for host in Host::BOTH {
            if let Some((at, order)) = self.timers[host.index()] {
                if next.is_none_or(|(t, o, _)| (at, order) < (t, o)) {
                    next = Some((at, order, Some(host)));
                }
            }
        }
        match next? {
            (at, _, Some(host)) => {
                self.timers[host.index()] = None;
                Some((at, Ev::Timer { host }))
            }
            (at, _, None) => {
                let slot = self.heap.pop()?.slot;
                self.free.push(slot);
                Some((at, self.slab[slot as usize]))
            }
        }
    }
}

/// An event in the [`Queue`], due at `at`. Of those due at the same instant,
/// the one scheduled first (lowest `order`, unique per run) runs first. Only
/// `at` and `order` are compared, reversed, so that `BinaryHeap` (a max-heap)
/// pops the earliest.
#[derive(Clone, Copy, Debug)]
struct Due {
    at: Instant,
    order: u64,
    slot: u32,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

/// A segment in the queue, packed: its timestamps and D-SACK block as words
/// of their own, flagged in `flags`' unused bits.
#[derive(Clone, Copy, Debug)]
struct SegmentKey {
    flags: u8,
    seq: u32,
    ack: u32,
    len: u32,
    window: u16,
    /// TSval << 32 | TSecr, when `flags` has [`SegmentKey::TS`].
    ts: u64,
    /// D-SACK left << 32 | right, when `flags` has [`SegmentKey::DSACK`].
    dsack: u64,
}

impl SegmentKey {
    /// A flag bit TCP does not use here: the segment carries timestamps.
    const TS: u8 = 0x80;
    /// Another: it carries a D-SACK block.
    const DSACK: u8 = 0x40;
}

impl From<Segment> for SegmentKey {
    fn from(s: Segment) -> Self {
        let (ts_bit, ts) = s.ts.map_or((0, 0), |t| {
            (SegmentKey::TS, u64::from(t.val) << 32 | u64::from(t.ecr))
        });
        let (dsack_bit, dsack) = s.dsack.map_or((0, 0), |(l, r)| {
            (SegmentKey::DSACK, u64::from(l) << 32 | u64::from(r))
        });
        SegmentKey {
            flags: s.flags.bits() | ts_bit | dsack_bit,
            dsack,
            seq: s.seq,
            ack: s.ack,
            len: s.len,
            window: s.window,
            ts,
        }
    }
}

impl From<SegmentKey> for Segment {
    fn from(k: SegmentKey) -> Self {
        Segment {
            flags: crate::segment::Flags::from_bits(k.flags),
            seq: k.seq,
            ack: k.ack,
            len: k.len,
            window: k.window,
            ts: (k.flags & SegmentKey::TS != 0).then_some(Timestamps {
                val: (k.ts >> 32) as u32,
                ecr: k.ts as u32,
            }),
            dsack: (k.flags & SegmentKey::DSACK != 0)
                .then_some(((k.dsack >> 32) as u32, k.dsack as u32)),
        }
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), the top 32 bits: a few arithmetic
/// steps per value; ISNs and timestamp offsets need only ten words, so no RNG
/// state is worth setting up.
fn splitmix32(state: &mut u64) -> u32 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) >> 32) as u32
}

/// Each host's timestamp clock at t = 0: its offset toward the other host.
/// Linux draws it per pair of addresses (`secure_tcp_ts_off`, a keyed hash of
/// source and destination), so each direction has its own, unrelated to the
/// ISNs; here both come from the seed, on a stream of their own.
pub fn timestamp_offsets(scenario: &Scenario) -> [u32; 2] {
    let mut state = scenario.seed ^ 0x5453_5f4f_4646_5345;
    [splitmix32(&mut state), splitmix32(&mut state)]
}

/// The ISNs each host uses for its 1st, 2nd, … connection (cycled if short):
/// the scenario's `hosts.X.isn`, or random from the seed as real stacks choose
/// them (RFC 9293 §3.4.1). The trace prints numbers relative to these; exporters
/// add them back to write absolute ones.
pub fn initial_sequence_numbers(scenario: &Scenario) -> [Vec<u32>; 2] {
    let mut isns = [Vec::new(), Vec::new()];
    write_initial_sequence_numbers(scenario, &mut isns);
    isns
}

/// [`initial_sequence_numbers`] into the given (emptied) buffers.
fn write_initial_sequence_numbers(scenario: &Scenario, isns: &mut [Vec<u32>; 2]) {
    let mut state = scenario.seed;
    for (h, v) in Host::BOTH.into_iter().zip(isns) {
        v.clear();
        v.extend_from_slice(&scenario.hosts.get(h).isn);
        if v.is_empty() {
            v.extend((0..4).map(|_| splitmix32(&mut state)));
        }
    }
}

/// Reusable simulation buffers (a benchmark runs many scenarios through one).
#[derive(Debug, Default)]
pub struct Simulation {
    queue: Queue,
    fired: Vec<bool>,
    scratch: Vec<EndpointEvent>,
    /// The last run's endpoints: the next run renews them in place.
    hosts: Option<[Endpoint; 2]>,
}

struct Run<'a, S> {
    scenario: &'a Scenario,
    sink: &'a mut S,
    hosts: &'a mut [Endpoint; 2],
    link: Link,
    queue: &'a mut Queue,
    pending_actions: u32,
    pending_deliveries: u32,
    segment_ids: u32,
    fired: &'a mut Vec<bool>,
    scratch: &'a mut Vec<EndpointEvent>,
    usage: Usage,
    /// A segment or event was not recorded because a work limit was reached.
    cut: bool,
    /// For each host, the peer's incarnation its current connection talks to:
    /// learnt from the SYN (or SYN-ACK) it accepted. The counters of the two
    /// sides drift apart when one side abandons an attempt (a close in
    /// SYN_SENT, then a new connect), so they are paired, not compared.
    paired: [u32; 2],
}

/// The ISNs each host used for its 1st, 2nd, … connection in the scenario's
/// run: [`initial_sequence_numbers`], except for the connections whose ISN the
/// endpoint chose itself (the clock for a later connection on the 4-tuple,
/// `tcp_tw_isn` over a TIME_WAIT), which only running the scenario tells. The
/// exporters add these back to the trace's relative numbers.
pub fn connection_isns(scenario: &Scenario) -> [Vec<u32>; 2] {
    // A `Vec` sink, as `simulate` uses: a second instantiation of the
    // simulator (with `CountingSink`) would cost the playground's wasm 3 KB.
    let mut sim = Simulation::default();
    sim.run(scenario, &mut Vec::new());
    let mut out = [Vec::new(), Vec::new()];
    for (v, ep) in out.iter_mut().zip(sim.hosts.iter().flatten()) {
        for c in 1..=ep.conn().max(1) {
            v.push(ep.isn_for(c));
        }
    }
    out
}

impl Simulation {
    /// Runs `scenario` into `sink`; returns why the run ended. The endpoints
    /// stay behind, for [`connection_isns`], and their buffers for the next run.
    pub fn run<S: TraceSink>(&mut self, scenario: &Scenario, sink: &mut S) -> EndReason {
        self.queue.clear();
        self.scratch.clear();
        self.fired.clear();
        self.fired.resize(scenario.actions.len(), false);
        let profile = scenario.profile();
        let ts = timestamp_offsets(scenario);
        let config = |h: Host, isns: Vec<u32>| Config {
            profile,
            app_reads: scenario.hosts.get(h).app_reads,
            listen: scenario.listens(h),
            isns,
            ts_offset: ts[h.index()],
        };
        // The last run's ISN buffers, refilled.
        let mut isns = match &mut self.hosts {
            Some(hosts) => hosts.each_mut().map(Endpoint::take_isns),
            None => [Vec::new(), Vec::new()],
        };
        write_initial_sequence_numbers(scenario, &mut isns);
        let [isn_a, isn_b] = isns;
        let (a0, b0) = (isn_a[0], isn_b[0]);
        let (config_a, config_b) = (config(Host::A, isn_a), config(Host::B, isn_b));
        let hosts = match &mut self.hosts {
            Some(hosts) => {
                hosts[0].renew(config_a);
                hosts[1].renew(config_b);
                hosts
            }
            None => self
                .hosts
                .insert([Endpoint::new(config_a), Endpoint::new(config_b)]),
        };
        if !scenario.handshake {
            let rtt = Duration::from_ms(scenario.link.delay_ms).saturating_mul(2);
            hosts[0].establish(b0, ts[1], rtt);
            hosts[1].establish(a0, ts[0], rtt);
        }
        for h in Host::BOTH {
            let ep = &mut hosts[h.index()];
            ep.set_port_bound(scenario.hosts.get(h).bind);
            if scenario.hosts.get(h).isn.is_empty() {
                ep.set_isn_clock(profile.isn_tick_ns);
            }
        }
        let mut run = Run {
            scenario,
            sink,
            hosts,
            link: Link::new(
                &scenario.link,
                scenario.seed,
                &scenario.drops,
                &scenario.duplicates,
            ),
            queue: &mut self.queue,
            pending_actions: 0,
            pending_deliveries: 0,
            segment_ids: 0,
            fired: &mut self.fired,
            scratch: &mut self.scratch,
            usage: Usage::default(),
            cut: false,
            paired: [1, 1],
        };
        run.go()
    }
}

impl<S: TraceSink> Run<'_, S> {
    fn go(&mut self) -> EndReason {
        let limit = Instant::from_ms(self.scenario.time_limit_ms.unwrap_or(DEFAULT_TIME_LIMIT_MS));
        let p = self.hosts[0].profile();
        self.record(TraceEvent {
            t_ms: 0.0,
            kind: EventKind::Start {
                a: self.hosts[0].state(),
                b: self.hosts[1].state(),
                platform: p.platform,
                delay_ms: self.link.delay().as_ms(),
                msl_ms: p.msl.as_ms(),
                time_wait_ms: p.time_wait.as_ms(),
            },
        });
        if self.scenario.handshake {
            self.hosts[0].connect(Instant::ZERO);
            self.after_step(Instant::ZERO, Host::A, None);
        }
        for (i, a) in self.scenario.actions.iter().enumerate() {
            if let Some(t) = a.at_ms {
                self.schedule(Instant::from_ms(t), Ev::Action(i));
            }
        }
        let mut now = Instant::ZERO;
        let mut budget = None;
        let reason = loop {
            if self.all_done() {
                break EndReason::AllClosed;
            }
            if self.cut {
                budget = self.usage.stop(self.scenario);
                break budget.as_ref().map_or(EndReason::EventLimit, |b| b.0);
            }
            let Some((at, ev)) = self.queue.pop() else {
                break EndReason::Quiescent;
            };
            if at > limit {
                now = limit;
                break EndReason::TimeLimit;
            }
            if self.usage.steps >= MAX_STEPS {
                budget = self.usage.stop(self.scenario);
                break EndReason::EventLimit;
            }
            self.usage.steps += 1;
            now = at;
            self.handle(now, ev);
        };
        // The end event is recorded whatever the budget says: every trace has one.
        self.sink.record(TraceEvent {
            t_ms: now.as_ms(),
            kind: EventKind::End {
                reason,
                a: self.hosts[0].state(),
                b: self.hosts[1].state(),
                budget: budget.map(|b| b.1),
            },
        });
        reason
    }

    /// Records a trace event, unless the work budget's event limit is reached.
    fn record(&mut self, event: TraceEvent) {
        if !self.usage.room_for_event() {
            self.cut = true;
            return;
        }
        self.usage.events += 1;
        self.sink.record(event);
    }

    fn all_done(&self) -> bool {
        self.pending_actions == 0
            && self.pending_deliveries == 0
            && self.hosts.iter().all(Endpoint::is_closed)
    }

    fn schedule(&mut self, at: Instant, ev: Ev) {
        match ev {
            Ev::Action(_) => self.pending_actions += 1,
            Ev::Deliver { .. } => self.pending_deliveries += 1,
            Ev::Timer { .. } => {}
        }
        self.queue.push(at, ev);
    }

    fn handle(&mut self, now: Instant, ev: Ev) {
        match ev {
            Ev::Action(i) => {
                self.pending_actions -= 1;
                let a = &self.scenario.actions[i];
                let host = a.host;
                let ep = &mut self.hosts[host.index()];
                match a.what {
                    Do::Send => ep.send(now, a.bytes.unwrap_or(0)),
                    Do::Close => ep.close(now),
                    Do::ShutdownWrite => ep.shutdown_write(now),
                    Do::Abort => ep.abort(now),
                    Do::Connect => ep.connect(now),
                }
                self.after_step(now, host, None);
            }
            Ev::Deliver { to, seg, conn, id } => {
                self.pending_deliveries -= 1;
                let ep = &mut self.hosts[to.index()];
                let before = ep.state();
                ep.on_segment(now, seg.into());
                let seg = Segment::from(seg);
                // The segment that opened or completed this host's connection
                // tells which of the peer's incarnations it talks to: an
                // accepted SYN (or SYN-ACK), or the ACK that ends SYN_RECEIVED
                // (which may come from a later attempt reusing the ISN).
                let opened = (matches!(
                    before,
                    TcpState::Listen | TcpState::SynSent | TcpState::Closed
                ) && seg.flags.contains(Flags::SYN)
                    && !ep.is_closed())
                    || (before == TcpState::TimeWait && ep.state() == TcpState::SynReceived);
                let completed =
                    before == TcpState::SynReceived && ep.state() == TcpState::Established;
                if opened || completed {
                    self.paired[to.index()] = conn;
                }
                self.after_step(now, to, Some((conn, id)));
            }
            Ev::Timer { host } => {
                self.hosts[host.index()].on_timeout(now);
                self.after_step(now, host, None);
            }
        }
    }

    /// Records what `host` did, puts its segments on the link, fires `after_eof`
    /// actions, and reschedules its timer. `delivered` is the incarnation and
    /// trace id of the segment just delivered, to flag stale data and name a
    /// discarded segment.
    fn after_step(&mut self, now: Instant, host: Host, delivered: Option<(u32, u32)>) {
        let segment_conn = delivered.map(|(conn, _)| conn);
        let t_ms = now.as_ms();
        let mut eof = false;
        let mut events = std::mem::take(self.scratch);
        self.hosts[host.index()].take_events(&mut events);
        for e in &events {
            let kind = match *e {
                EndpointEvent::Transmit(tx) => {
                    self.transmit(now, host, tx.segment, tx.retransmission);
                    continue;
                }
                EndpointEvent::State { from, to } => EventKind::State { host, from, to },
                EndpointEvent::Discard(reason) => EventKind::Discard {
                    host,
                    seg_id: delivered.map_or(0, |(_, id)| id),
                    reason,
                },
                EndpointEvent::Timer {
                    timer,
                    action,
                    deadline,
                } => EventKind::Timer {
                    host,
                    timer,
                    action,
                    deadline_ms: deadline.map(Instant::as_ms),
                },
                EndpointEvent::App { call, bytes, error } => {
                    eof |= call == crate::trace::AppCall::ReadEof;
                    let own = self.paired[host.index()];
                    EventKind::App {
                        host,
                        call,
                        bytes,
                        error: error.map(str::to_owned),
                        stale_from_conn: segment_conn
                            .filter(|c| call == crate::trace::AppCall::Read && *c != own),
                    }
                }
            };
            self.record(TraceEvent { t_ms, kind });
        }
        events.clear();
        *self.scratch = events;
        if eof {
            for i in 0..self.scenario.actions.len() {
                let a = &self.scenario.actions[i];
                if a.host == host && !self.fired[i] {
                    if let Some(after) = a.after_eof_ms {
                        self.fired[i] = true;
                        self.schedule(now + Duration::from_ms(after), Ev::Action(i));
                    }
                }
            }
        }
        let deadline = self.hosts[host.index()].poll_timeout();
        self.queue.set_timer(host, deadline);
    }

    // Not inlined: inside `after_step`'s loop it made every step load and
    // spill what only a segment needs (7 % of a lifecycle's instructions).
    #[inline(never)]
    fn transmit(&mut self, now: Instant, from: Host, seg: Segment, retransmission: bool) {
        let to = from.peer();
        let verdict = self.link.transmit(now, from, &seg);
        let conn = self.hosts[from.index()].conn();
        let peer_conn = self.paired[from.index()];
        let (rel_seq, rel_ack) = {
            let s = &self.hosts[from.index()];
            let r = &self.hosts[to.index()];
            (
                seg.seq.wrapping_sub(s.isn_for(conn)),
                seg.ack.wrapping_sub(r.isn_for(peer_conn)),
            )
        };
        let ack_base = seg.ack.wrapping_sub(rel_ack);
        let ack = seg
            .flags
            .contains(crate::segment::Flags::ACK)
            .then_some(rel_ack);
        let record = |this: &mut Self,
                      fate,
                      cause: Option<DropCause>,
                      arrive: Option<Instant>,
                      duplicate| {
            let id = this.segment_ids;
            this.segment_ids += 1;
            this.record(TraceEvent {
                t_ms: now.as_ms(),
                kind: EventKind::Segment(SegmentEvent {
                    id,
                    from,
                    to,
                    flags: seg.flags,
                    seq: rel_seq,
                    ack,
                    len: seg.len,
                    tsval: seg.ts.map(|t| t.val),
                    tsecr: seg.ts.map(|t| t.ecr),
                    dsack: seg
                        .dsack
                        .map(|(l, r)| [l.wrapping_sub(ack_base), r.wrapping_sub(ack_base)]),
                    fate,
                    retransmission,
                    arrive_ms: arrive.map(Instant::as_ms),
                    drop_cause: cause,
                    conn,
                    peer_conn: (ack.is_some() && peer_conn != conn).then_some(peer_conn),
                    duplicate,
                }),
            });
        };
        // The segment itself, then an extra copy if a duplicate rule made one.
        let copies = [(verdict.arrive, false), (verdict.duplicate_arrive, true)];
        for (arrive, duplicate) in copies {
            if duplicate && arrive.is_none() {
                continue;
            }
            // A segment the budget has no room for is neither recorded nor sent.
            if !self.usage.room_for_segment() {
                self.cut = true;
                return;
            }
            self.usage.segments += 1;
            self.usage.retransmissions += u32::from(retransmission && !duplicate);
            self.usage.duplicates += u32::from(duplicate);
            self.usage.new_data += u32::from(!retransmission && !duplicate && seg.len > 0);
            match arrive {
                Some(at) => {
                    record(self, Fate::Delivered, None, Some(at), duplicate);
                    let id = self.segment_ids - 1;
                    self.schedule(
                        at,
                        Ev::Deliver {
                            to,
                            seg: seg.into(),
                            conn,
                            id,
                        },
                    );
                }
                None if !duplicate => record(self, Fate::Dropped, verdict.dropped, None, false),
                None => {}
            }
        }
    }
}
