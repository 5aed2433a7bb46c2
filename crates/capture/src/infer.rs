//! State inference: each endpoint's TCP state over time, from the segments of
//! one connection as a capture saw them.
//!
//! There is no second state machine here. Each side is replayed through the
//! engine's own [`Endpoint`], one endpoint per side, each on its own clock:
//!
//! * the peer's segments are handed to it with `on_segment` when they would
//!   have reached it (capture time plus the delay from the capture point to it);
//! * its own segments tell what its application must have called (a SYN is
//!   `connect`, new data is `send`, a FIN is `close` or `shutdown_write`, a RST
//!   nobody asked for is `abort`), and what it sends is checked against what the
//!   endpoint would send ([`SegmentView::explained`]);
//! * its delayed-ACK, FIN_WAIT_2 and TIME_WAIT timers run on their own; the
//!   retransmission and loss-probe timers fire only when the capture shows the
//!   retransmission, so the replay never gives up earlier or later than the
//!   real host did.
//!
//! What a capture cannot show is inferred and marked ([`Certainty`]): a segment
//! seen but then retransmitted with no answer is presumed lost and not handed to
//! the peer; an ACK for bytes the capture never showed means the peer got them
//! anyway ([`Cause::Unseen`]); the far side's clock is the capture's shifted by
//! the one-way delay the handshake (or the first replies) gives ([`Position`]).

use crate::reconnect::Reconnect;
use crate::{Capture, Direction, Packet};
use farewell_engine::endpoint::{Config, Endpoint, EndpointEvent};
use farewell_engine::trace::{AppCall, TimerAction, TimerKind};
use farewell_engine::{
    Duration, Flags, Host, Instant, Nagle, Platform, Profile, Segment, TcpState,
};
use serde::Serialize;
use std::fmt;
use std::net::SocketAddr;

/// How the capture is read.
#[derive(Clone, Debug)]
pub struct Options {
    /// The stack both hosts are assumed to run: it decides the timers no
    /// capture shows (TIME_WAIT's length, tcp_fin_timeout) and whether a RST
    /// ends TIME_WAIT (`rfc1337`). Linux by default.
    pub profile: Profile,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: Platform::Linux.profile(),
        }
    }
}

/// Where the capture was most likely taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Vantage {
    /// On (or next to) host A: A's replies follow B's segments at once.
    NearA,
    NearB,
    /// Somewhere on the path: both sides' replies come after a delay.
    Between,
    /// No segment was answered in either direction.
    Unknown,
}

/// The capture point, from the gaps between a segment and its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub vantage: Vantage,
    /// Shortest time between a segment from B and A's answer to it, as the
    /// capture saw them: twice the one-way delay between the capture point
    /// and A (the handshake's SYN-ACK → ACK gap).
    pub a_turnaround_us: Option<i64>,
    /// The same for B (the handshake's SYN → SYN-ACK gap).
    pub b_turnaround_us: Option<i64>,
    /// One-way delay from the capture point to A, and to B, as used by the
    /// replay: half the turnarounds; 0 for a side never timed (the capture is
    /// then taken to be on it).
    pub to_a_us: i64,
    pub to_b_us: i64,
    /// The capture host was read from the frames' link-layer packet types
    /// (every frame of one side outgoing, of the other incoming), not
    /// guessed from the answer gaps.
    pub by_packet_type: bool,
}

impl Position {
    /// The round-trip time between A and B.
    pub fn rtt_us(&self) -> i64 {
        2 * (self.to_a_us + self.to_b_us)
    }
    /// The one-way delay from the capture point to `h`.
    pub fn to(&self, h: Host) -> i64 {
        match h {
            Host::A => self.to_a_us,
            Host::B => self.to_b_us,
        }
    }
}

/// What moved an endpoint to a new state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Cause {
    /// It sent this frame (an application call the frame implies).
    Sent { frame: u32 },
    /// This frame from the peer reached it.
    Received { frame: u32 },
    /// One of its timers expired.
    Timer { timer: TimerKind },
    /// It acknowledged what the capture never showed, so it must have
    /// received it (lost before the capture point, or an old duplicate).
    Unseen,
    /// It acknowledged segments the capture showed out of order: the gap
    /// before them was filled, and it had kept them.
    Reassembled,
}

/// How much of a state change the capture shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// A segment at the host the capture was taken on: the time is the
    /// capture's own.
    Seen,
    /// The far side (or a capture between the hosts), or a segment the
    /// capture did not show: the time is estimated from the delay.
    Inferred,
    /// A timer of the assumed profile, inside the capture (the wire shows
    /// nothing when TIME_WAIT or FIN_WAIT_2 ends).
    Timer,
    /// A timer of the assumed profile that expires after the capture ends.
    AfterCapture,
}

/// One inferred state transition.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StateChange {
    pub host: Host,
    /// On the capture's clock (µs since the Unix epoch), at the host itself:
    /// the far host's changes are shifted by the delay to it.
    pub t_us: i64,
    pub from: TcpState,
    pub to: TcpState,
    #[serde(flatten)]
    pub cause: Cause,
    pub certainty: Certainty,
}

/// One segment of the connection, as the inference reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SegmentView {
    pub frame: u32,
    pub t_us: i64,
    pub from: Host,
    #[serde(skip)]
    pub flags: Flags,
    /// Relative to the sender's initial sequence number (as tcpdump prints it).
    pub seq: u32,
    /// Relative to the receiver's ISN; only with ACK.
    pub ack: Option<u32>,
    pub len: u32,
    /// It repeats sequence space the sender had already sent.
    pub retransmission: bool,
    /// Presumed never to have reached the peer: it was sent again, or answered
    /// again, with no sign the peer had it. The replay does not deliver it.
    pub presumed_lost: bool,
    /// The same segment as the sender's previous one, seen again within
    /// [`DUPLICATE_US`]: counted once (the replay skips it).
    pub duplicate: bool,
    /// A pure ACK repeating the sender's previous ACK while the peer had data
    /// outstanding (RFC 5681 §2).
    pub duplicate_ack: bool,
    /// The application call this segment implies.
    pub implies: Option<AppCall>,
    /// The engine's endpoint, in the state the replay reached, sends this
    /// segment (after the implied call, or of its own accord). `false` for a
    /// segment it would not send: the host departs from the assumed profile,
    /// or the capture misses something.
    pub explained: bool,
}

/// Everything inferred about one connection.
#[derive(Clone, Debug, PartialEq)]
pub struct Inference {
    /// Index into [`Capture::connections`].
    pub connection: usize,
    pub a: SocketAddr,
    pub b: SocketAddr,
    pub incarnation: u32,
    pub platform: Platform,
    /// Time of the connection's first and last frame.
    pub first_us: i64,
    pub last_us: i64,
    pub position: Position,
    /// Each side's state before the first frame: CLOSED/LISTEN when the
    /// capture shows the handshake, else ESTABLISHED (assumed).
    pub start: [TcpState; 2],
    /// Each side's state at the last frame.
    pub at_end: [TcpState; 2],
    pub segments: Vec<SegmentView>,
    /// In time order.
    pub changes: Vec<StateChange>,
    /// TIME_WAIT restarted by a retransmitted FIN: (host, time).
    pub time_wait_restarts: Vec<(Host, i64)>,
    /// Bytes (and FIN) a side acknowledged that the capture never showed:
    /// (host that received them, time, bytes, fin).
    pub unseen: Vec<(Host, i64, u32, bool)>,
    /// The earlier incarnation of this 4-tuple, still in TIME_WAIT on one
    /// side when this one began.
    pub reconnect: Option<Reconnect>,
}

/// Why a connection cannot be explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InferError {
    /// The capture has no TCP segments.
    NoTcp { frames: u32 },
    /// `--conn N` beyond the connections found.
    NoSuchConnection { asked: usize, count: usize },
}

impl fmt::Display for InferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InferError::NoTcp { frames } => write!(
                f,
                "the capture has no TCP segments ({frames} frames read): nothing to explain"
            ),
            InferError::NoSuchConnection { asked, count } => write!(
                f,
                "there is no connection {asked}: the capture has {count} (numbered from 1)"
            ),
        }
    }
}

impl std::error::Error for InferError {}

/// `a < b` in sequence space (RFC 9293 §3.4).
fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}
fn seq_le(a: u32, b: u32) -> bool {
    !seq_lt(b, a)
}

fn seg_len(p: &Packet) -> u32 {
    p.len + u32::from(p.flags.contains(Flags::SYN)) + u32::from(p.flags.contains(Flags::FIN))
}

fn segment(p: &Packet) -> Segment {
    Segment {
        flags: p.flags,
        seq: p.seq,
        ack: p.ack,
        len: p.len,
        window: p.window,
        ts: None,
        dsack: None,
    }
}

/// A copy of the sender's previous segment this soon after it is the capture
/// seeing one segment twice, not a retransmission (the shortest retransmission
/// timer, Linux's 2 ms `TCP_TIMEOUT_MIN` loss probe, is longer).
pub const DUPLICATE_US: i64 = 500;

/// Frame times are kept within this distance of the first frame's.
const TIME_LIMIT_US: i64 = 1 << 40;

/// The replay looks this many frames ahead at most (for a retransmission or
/// an answer), so a long one-sided capture costs linear time.
const LOOKAHEAD: usize = 4096;

/// A turnaround this much smaller than the other side's (or under 1 ms) puts
/// the capture on that host.
const NEAR_SHARE: f64 = 0.1;
const NEAR_US: i64 = 1_000;

/// Infers the states of connection `conn` (an index into
/// [`Capture::connections`]).
pub fn infer(capture: &Capture, conn: usize, opts: &Options) -> Result<Inference, InferError> {
    if capture.connections.is_empty() {
        return Err(InferError::NoTcp {
            frames: capture.frames,
        });
    }
    let c = capture
        .connections
        .get(conn)
        .ok_or(InferError::NoSuchConnection {
            asked: conn + 1,
            count: capture.connections.len(),
        })?;
    // Times relative to the first frame (clamped to ±2^40 µs, about 12
    // days, so that no arithmetic on a damaged timestamp overflows).
    let first_us = capture.packets[c.packets[0] as usize].t_us;
    let owned: Vec<Packet> = c
        .packets
        .iter()
        .map(|&i| {
            let p = &capture.packets[i as usize];
            Packet {
                t_us: p
                    .t_us
                    .saturating_sub(first_us)
                    .clamp(-TIME_LIMIT_US, TIME_LIMIT_US),
                ..p.clone()
            }
        })
        .collect();
    let pk: Vec<&Packet> = owned.iter().collect();
    let from: Vec<Host> = pk
        .iter()
        .map(|p| if p.src == c.a { Host::A } else { Host::B })
        .collect();
    let n = pk.len();

    // The same segment seen twice at once: `tcpdump -i any` shows a forwarded
    // packet on each interface it crosses, and a network may duplicate one.
    // Only the first copy counts.
    let mut duplicate = vec![false; n];
    let mut last_from: [Option<usize>; 2] = [None; 2];
    for i in 0..n {
        let h = from[i].index();
        if let Some(k) = last_from[h] {
            let (p, q) = (pk[i], pk[k]);
            duplicate[i] = (p.seq, p.ack, p.flags, p.len) == (q.seq, q.ack, q.flags, q.len)
                && (p.t_us - q.t_us).abs() <= DUPLICATE_US;
        }
        if !duplicate[i] {
            last_from[h] = Some(i);
        }
    }
    let dup = &duplicate;

    // Retransmissions: sequence space the sender had already sent. A copy
    // with the TSval of an earlier segment is the network's (an old
    // duplicate): a retransmission carries the clock of its own sending
    // (RFC 7323 §3.2).
    let mut retransmission = vec![false; n];
    let mut snd_max: [Option<u32>; 2] = [None; 2];
    for i in 0..n {
        if dup[i] {
            continue;
        }
        let (p, h) = (pk[i], from[i].index());
        let len = seg_len(p);
        if len == 0 || p.flags.contains(Flags::RST) {
            continue;
        }
        let old_copy = (0..i).any(|k| {
            let q = pk[k];
            let ack_older = p.flags.contains(Flags::ACK)
                && q.flags.contains(Flags::ACK)
                && seq_lt(p.ack, q.ack);
            let same_ts = p.options.ts.is_some()
                && (q.seq, q.len, q.flags, q.options.ts) == (p.seq, p.len, p.flags, p.options.ts);
            from[k] == from[i] && (ack_older || same_ts)
        });
        if old_copy {
            continue;
        }
        let end = p.seq.wrapping_add(len);
        match snd_max[h] {
            Some(m) if seq_lt(p.seq, m) => {
                retransmission[i] = true;
                if seq_lt(m, end) {
                    snd_max[h] = Some(end);
                }
            }
            _ => snd_max[h] = Some(end),
        }
    }

    let position = position(&pk, &from, dup, &retransmission);
    let lost = presumed_lost(&pk, &from, dup, &retransmission, &position);

    // Initial sequence numbers: the SYN's, else one before the first byte.
    let pure_syn_from_a = (0..n).any(|i| {
        from[i] == Host::A && pk[i].flags.contains(Flags::SYN) && !pk[i].flags.contains(Flags::ACK)
    });
    let syn_ack_from_b = (0..n).any(|i| {
        from[i] == Host::B && pk[i].flags.contains(Flags::SYN) && pk[i].flags.contains(Flags::ACK)
    });
    let isn = |h: Host| -> u32 {
        if let Some(i) = (0..n).find(|&i| from[i] == h && pk[i].flags.contains(Flags::SYN)) {
            return pk[i].seq;
        }
        if let Some(i) = (0..n).find(|&i| from[i] == h) {
            return pk[i].seq.wrapping_sub(1);
        }
        // A side never seen sending: the other side's first ACK says where
        // it was.
        (0..n)
            .find(|&i| from[i] == h.peer() && pk[i].flags.contains(Flags::ACK))
            .map_or(0, |i| pk[i].ack.wrapping_sub(1))
    };
    let isns = [isn(Host::A), isn(Host::B)];

    let mut profile = opts.profile;
    // The replay sends each segment when the capture shows it.
    profile.nagle = Nagle::Off;
    // The replay does not model the TCP timestamp option yet: the captured
    // TSvals are not fed to the endpoints, so PAWS discards cannot be
    // inferred (issue 10 leaves this for later).
    profile.timestamps = false;
    // No capture shows when an illumos reaper runs (every 5 s,
    // `tcp_time_wait.c:217-219`): TIME_WAIT is replayed at its own length,
    // and the finding says it may end up to one run later.
    profile.time_wait_granularity = None;
    let handshake = pure_syn_from_a;
    let margin = position.to_a_us.max(position.to_b_us) + 1;
    let last_rel = pk.iter().map(|p| p.t_us).max().unwrap_or(0);
    let instant = |t: i64| Instant::from_micros((t + margin).max(0) as u64);
    // The next connection on this 4-tuple, if the capture has one, ends the
    // quiet timers' run: a SYN that a TIME_WAIT let through, or a connect()
    // that took the TIME_WAIT over, replaces it before it expires.
    // This incarnation began with a SYN that the previous one's TIME_WAIT
    // refused: SYN, the TIME_WAIT's ACK, the RST it drew. Which host held
    // that TIME_WAIT.
    let refused_by = (c.incarnation > 1
        && n >= 3
        && pk[0].flags == Flags::SYN
        && from[1] != from[0]
        && pk[1].flags.contains(Flags::ACK)
        && !pk[1].flags.contains(Flags::SYN)
        && from[2] == from[0]
        && pk[2].flags.contains(Flags::RST))
    .then(|| from[1]);
    let next_conn = capture
        .connections
        .iter()
        .find(|o| o.incarnation == c.incarnation + 1 && (o.a, o.b) == (c.a, c.b));
    let next_incarnation = next_conn
        .and_then(|o| o.packets.first())
        .map(|&i| capture.packets[i as usize].t_us.saturating_sub(first_us));
    let abs = |rel: i64| first_us.saturating_add(rel);
    let back = |at: Instant| abs(at.as_micros() as i64 - margin);

    let mut segments: Vec<SegmentView> = (0..n)
        .map(|i| {
            let p = pk[i];
            let h = from[i];
            SegmentView {
                frame: p.frame,
                t_us: abs(p.t_us),
                from: h,
                flags: p.flags,
                seq: p.seq.wrapping_sub(isns[h.index()]),
                ack: p
                    .flags
                    .contains(Flags::ACK)
                    .then(|| p.ack.wrapping_sub(isns[h.peer().index()])),
                len: p.len,
                retransmission: retransmission[i],
                presumed_lost: lost[i],
                duplicate: dup[i],
                duplicate_ack: false,
                implies: None,
                explained: false,
            }
        })
        .collect();
    mark_duplicate_acks(&pk, &from, dup, &mut segments);

    let mut changes = Vec::new();
    let mut start = [TcpState::Established; 2];
    let mut at_end = [TcpState::Established; 2];
    let mut time_wait_restarts = Vec::new();
    let mut unseen = Vec::new();
    for host in Host::BOTH {
        let cfg = Config {
            profile,
            app_reads: true,
            listen: host == Host::B && syn_ack_from_b,
            isns: vec![isns[host.index()]],
            ts_offset: 0,
        };
        let ep = if handshake {
            Endpoint::new(cfg)
        } else {
            let rtt = Duration::from_micros(position.rtt_us().max(0) as u64);
            Endpoint::new_established(cfg, isns[host.peer().index()], 0, rtt)
        };
        start[host.index()] = ep.state();
        let mut r = Replay {
            ep,
            timers: [None; TimerKind::ALL.len()],
            changes: Vec::new(),
            pending: Vec::new(),
            restarts: Vec::new(),
            unseen: Vec::new(),
        };
        // This side's inputs, on its own clock: its own segments when it sent
        // them, the peer's (unless lost) when they reached it. A segment that
        // acknowledges the peer's goes after it, whatever the estimated delay
        // says, and the side's own segments stay in capture order.
        let to_host = position.to(host);
        let mut inputs: Vec<(i64, usize)> = Vec::with_capacity(n);
        let mut unacked: std::collections::VecDeque<(u32, i64)> = Default::default();
        let mut floor = i64::MIN;
        let mut last_arrival = i64::MIN;
        for i in 0..n {
            let p = pk[i];
            if dup[i] {
                continue;
            }
            if from[i] != host {
                if lost[i] {
                    continue;
                }
                let arrival = p.t_us + to_host;
                if seg_len(p) > 0 && !p.flags.contains(Flags::RST) {
                    unacked.push_back((p.seq, arrival));
                }
                inputs.push((arrival, i));
                last_arrival = last_arrival.max(arrival);
                continue;
            }
            let mut t = p.t_us - to_host;
            if p.flags.contains(Flags::RST) && !p.flags.contains(Flags::ACK) {
                // A bare RST answers what just arrived.
                floor = floor.max(last_arrival);
            }
            if p.flags.contains(Flags::ACK) {
                while let Some(&(seq, arrival)) = unacked.front() {
                    if !seq_lt(seq, p.ack) {
                        break;
                    }
                    floor = floor.max(arrival);
                    unacked.pop_front();
                }
            }
            t = t.max(floor);
            floor = t;
            inputs.push((t, i));
        }
        inputs.sort();
        let peer_fin = (0..n)
            .filter(|&i| from[i] != host && pk[i].flags.contains(Flags::FIN))
            .map(|i| pk[i].seq.wrapping_add(pk[i].len))
            .next();
        for (t, i) in inputs {
            if refused_by == Some(host) && i < 3 {
                // The previous incarnation's TIME_WAIT answered these (see
                // below): its ACK is explained there.
                segments[i].explained |= from[i] == host;
                continue;
            }
            let now = instant(t);
            r.advance(now, false);
            let p = pk[i];
            if from[i] == host {
                let fin_call = if p.flags.contains(Flags::FIN) {
                    fin_call(&pk, &from, i)
                } else {
                    AppCall::Close
                };
                let seen = PeerSeen {
                    pk: &pk,
                    from: &from,
                    upto: i,
                    me: host,
                };
                let (implies, explained) = r.own(now, p, fin_call, peer_fin, &seen);
                segments[i].implies = implies;
                segments[i].explained = explained;
            } else {
                r.ep.on_segment(now, segment(p));
                r.collect(now, Cause::Received { frame: p.frame });
            }
        }
        // Up to the capture's last frame on this side's clock, then what the
        // quiet timers (TIME_WAIT, FIN_WAIT_2) do after it.
        r.advance(instant(last_rel + to_host), false);
        // A new SYN this side's TIME_WAIT refused (answered with the old
        // connection's ACK, RFC 9293 §3.10.7.4) draws the peer's RST, which
        // ends the TIME_WAIT unless RFC 1337 protects it. The capture files
        // the three under the next incarnation; the RST is this one's.
        if let Some(next) = next_conn {
            let me = if host == Host::A { c.a } else { c.b };
            let q: Vec<&Packet> = next
                .packets
                .iter()
                .take(3)
                .map(|&i| &capture.packets[i as usize])
                .collect();
            if let [syn, ack, rst] = q[..] {
                if syn.dst == me
                    && syn.flags == Flags::SYN
                    && ack.src == me
                    && !ack.flags.contains(Flags::SYN)
                    && rst.src == syn.src
                    && rst.flags.contains(Flags::RST)
                    && r.ep.state() == TcpState::TimeWait
                {
                    let at = instant(rst.t_us.saturating_sub(first_us) + to_host);
                    r.advance(at, false);
                    r.ep.on_segment(at, segment(rst));
                    r.collect(at, Cause::Received { frame: rst.frame });
                }
            }
        }
        at_end[host.index()] = r.ep.state();
        let in_capture = r.changes.len();
        r.advance(
            next_incarnation.map_or(Instant::from_micros(u64::MAX / 4), |t| instant(t + to_host)),
            true,
        );
        let near = match position.vantage {
            Vantage::NearA => Some(Host::A),
            Vantage::NearB => Some(Host::B),
            _ => None,
        };
        // A retransmission timer fired late (at the endpoint's own deadline)
        // may put a change after the next input's time: keep each side's
        // changes in the order they happened.
        let mut latest = Instant::ZERO;
        for (k, (at, from_s, to_s, cause)) in r.changes.iter().enumerate() {
            latest = latest.max(*at);
            let certainty = match cause {
                Cause::Timer { .. } if k >= in_capture => Certainty::AfterCapture,
                Cause::Timer { .. } => Certainty::Timer,
                Cause::Unseen | Cause::Reassembled => Certainty::Inferred,
                _ if near == Some(host) => Certainty::Seen,
                _ => Certainty::Inferred,
            };
            changes.push(StateChange {
                host,
                t_us: back(latest),
                from: *from_s,
                to: *to_s,
                cause: *cause,
                certainty,
            });
        }
        time_wait_restarts.extend(r.restarts.iter().map(|&at| (host, back(at))));
        unseen.extend(
            r.unseen
                .iter()
                .map(|&(at, bytes, fin)| (host, back(at), bytes, fin)),
        );
    }
    changes.sort_by_key(|c| c.t_us);
    Ok(Inference {
        connection: conn,
        a: c.a,
        b: c.b,
        incarnation: c.incarnation,
        platform: opts.profile.platform,
        first_us,
        last_us: abs(last_rel),
        position,
        start,
        at_end,
        segments,
        changes,
        time_wait_restarts,
        unseen,
        reconnect: crate::reconnect::reconnect(
            capture,
            conn,
            i64::try_from(opts.profile.time_wait.as_micros()).unwrap_or(i64::MAX),
        ),
    })
}

/// The capture point from the shortest answer each side gave: a segment with
/// new sequence space, then the first segment from the other side that
/// acknowledges it (a retransmitted segment is not timed: Karn).
fn position(pk: &[&Packet], from: &[Host], dup: &[bool], retransmission: &[bool]) -> Position {
    let n = pk.len();
    // Clean samples, and samples from a retransmitted segment's last copy
    // (ambiguous by Karn's rule, but a lower bound: used only for a side
    // that has no clean one).
    let mut best: [Option<i64>; 2] = [None; 2];
    let mut ambiguous: [Option<i64>; 2] = [None; 2];
    for i in 0..n {
        let p = pk[i];
        if seg_len(p) == 0 || dup[i] || p.flags.contains(Flags::RST) {
            continue;
        }
        for j in i + 1..n.min(i + 1 + LOOKAHEAD) {
            let q = pk[j];
            if dup[j] {
                continue;
            }
            if from[j] == from[i] {
                // Sent again before any answer: the answer may be to either
                // copy, so only the last copy is timed (unless the copy rides
                // on an ACK of something new: it answers the peer).
                let answers = p.flags.contains(Flags::ACK)
                    && q.flags.contains(Flags::ACK)
                    && seq_lt(p.ack, q.ack);
                if retransmission[j] && q.seq == p.seq && !answers {
                    break;
                }
                continue;
            }
            // An answer acknowledges some of it, or is the bare RST a host
            // with no connection sends at once, with SEG.SEQ = the ACK field
            // (RFC 9293 §3.10.7.1).
            let bare_rst = q.flags == Flags::RST && p.flags.contains(Flags::ACK) && q.seq == p.ack;
            if (q.flags.contains(Flags::ACK) && seq_lt(p.seq, q.ack)) || bare_rst {
                let gap = q.t_us - p.t_us;
                let b = if retransmission[i] {
                    &mut ambiguous[from[j].index()]
                } else {
                    &mut best[from[j].index()]
                };
                if gap >= 0 && b.is_none_or(|v| gap < v) {
                    *b = Some(gap);
                }
                break;
            }
        }
    }
    let [ta, tb] = [best[0].or(ambiguous[0]), best[1].or(ambiguous[1])];
    let near = |x: i64, y: i64| x <= NEAR_US || (x as f64) <= NEAR_SHARE * ((x + y) as f64);
    let vantage = match (ta, tb) {
        (Some(a), Some(b)) if near(a, b) && a <= b => Vantage::NearA,
        (Some(a), Some(b)) if near(b, a) => Vantage::NearB,
        (Some(_), Some(_)) => Vantage::Between,
        (Some(a), None) if a <= NEAR_US => Vantage::NearA,
        (None, Some(b)) if b <= NEAR_US => Vantage::NearB,
        _ => Vantage::Unknown,
    };
    // A side whose answers were never timed is assumed to be where the
    // capture was taken (most captures are taken on one of the hosts, and the
    // other side's answers, timed, did not put it there).
    let (mut to_a, mut to_b) = match (ta, tb) {
        (Some(a), Some(b)) => (a / 2, b / 2),
        (Some(a), None) => (a / 2, 0),
        (None, Some(b)) => (0, b / 2),
        (None, None) => (0, 0),
    };
    // The link layer saying which host the capture was taken on beats the
    // gaps, which cannot tell the hosts apart when the delay between them is
    // near zero (a veth pair, loopback). The capture host is then at zero
    // delay; its own answers' gaps are its processing, not distance.
    let on = capture_host(pk, from, dup);
    let vantage = match on {
        Some(Host::A) => {
            to_a = 0;
            Vantage::NearA
        }
        Some(Host::B) => {
            to_b = 0;
            Vantage::NearB
        }
        None => vantage,
    };
    Position {
        vantage,
        a_turnaround_us: ta,
        b_turnaround_us: tb,
        to_a_us: to_a,
        to_b_us: to_b,
        by_packet_type: on.is_some(),
    }
}

/// The host the capture was taken on, if the frames' link-layer packet
/// types say so without contradiction: every frame (first copies) has one,
/// that host's all `PACKET_OUTGOING` and the other's all `PACKET_HOST`. A
/// router's `tcpdump -i any` sees each forwarded frame come in on one
/// interface and go out on another, so both sides have both, and says
/// nothing.
fn capture_host(pk: &[&Packet], from: &[Host], dup: &[bool]) -> Option<Host> {
    let mut on: Option<Host> = None;
    for (i, p) in pk.iter().enumerate() {
        if dup[i] {
            continue;
        }
        let sender = match p.direction? {
            Direction::Outgoing => from[i],
            Direction::Incoming => from[i].peer(),
        };
        if *on.get_or_insert(sender) != sender {
            return None;
        }
    }
    on
}

/// Segments presumed not to have reached the peer:
/// * a segment with sequence space that its sender sent again (with no newer
///   ACK: not a copy riding on an answer) before the peer acknowledged any of it;
/// * an ACK after which the peer retransmitted what it acknowledged, later
///   than the peer could have answered it.
fn presumed_lost(
    pk: &[&Packet],
    from: &[Host],
    dup: &[bool],
    retransmission: &[bool],
    pos: &Position,
) -> Vec<bool> {
    let n = pk.len();
    let mut lost = vec![false; n];
    let mut last_ack: [Option<u32>; 2] = [None; 2];
    for i in 0..n {
        let p = pk[i];
        if p.flags.contains(Flags::RST) || dup[i] {
            continue;
        }
        // Only an ACK that acknowledges something new, or a pure ACK, can be
        // the one the peer's retransmission shows was lost.
        let h = from[i].index();
        let pure = seg_len(p) == 0;
        let advanced = p.flags.contains(Flags::ACK) && last_ack[h].is_none_or(|a| seq_lt(a, p.ack));
        if p.flags.contains(Flags::ACK) {
            last_ack[h] = Some(p.ack);
        }
        let len = seg_len(p);
        if len > 0 {
            for j in i + 1..n.min(i + 1 + LOOKAHEAD) {
                let q = pk[j];
                if dup[j] {
                    continue;
                }
                if from[j] != from[i] {
                    if q.flags.contains(Flags::RST)
                        || (q.flags.contains(Flags::ACK) && seq_lt(p.seq, q.ack))
                    {
                        break;
                    }
                } else if seg_len(q) > 0 && q.seq == p.seq && !q.flags.contains(Flags::RST) {
                    // A copy that acknowledges something new answers the
                    // peer (FreeBSD repeats an unacknowledged FIN on each
                    // ACK): no sign that the first was lost.
                    let answers = p.flags.contains(Flags::ACK)
                        && q.flags.contains(Flags::ACK)
                        && seq_lt(p.ack, q.ack);
                    if !answers {
                        lost[i] = true;
                        break;
                    }
                }
            }
        }
        if p.flags.contains(Flags::ACK) && !lost[i] && (advanced || pure) {
            // The peer's answer to this ACK would be seen this long after it.
            let turnaround = 2 * pos.to(from[i].peer());
            for j in i + 1..n.min(i + 1 + LOOKAHEAD) {
                let q = pk[j];
                if from[j] == from[i] || dup[j] {
                    continue;
                }
                if q.flags.contains(Flags::RST) {
                    break;
                }
                let q_len = seg_len(q);
                if q_len > 0
                    && retransmission[j]
                    && seq_le(q.seq.wrapping_add(q_len), p.ack)
                    && q.t_us - p.t_us > turnaround
                {
                    // Sent again something p acknowledged: p never arrived
                    // (unless p carried new data of its own, then the
                    // sender's retransmission rule above decides).
                    if p.len == 0 && !p.flags.contains(Flags::FIN) {
                        lost[i] = true;
                    }
                    break;
                }
                if q_len > 0 && seq_le(p.ack, q.seq) {
                    // New data from the peer: it went on.
                    break;
                }
            }
        }
    }
    lost
}

/// RFC 5681 §2: a pure ACK repeating the same side's previous ACK and window
/// while the other side has sent data beyond it.
fn mark_duplicate_acks(pk: &[&Packet], from: &[Host], dup: &[bool], segs: &mut [SegmentView]) {
    let mut last: [Option<(u32, u16)>; 2] = [None; 2];
    let mut snd_max: [Option<u32>; 2] = [None; 2];
    for i in 0..pk.len() {
        if dup[i] {
            continue;
        }
        let p = pk[i];
        let h = from[i].index();
        let len = seg_len(p);
        if len > 0 && !p.flags.contains(Flags::RST) {
            let end = p.seq.wrapping_add(len);
            if snd_max[h].is_none_or(|m| seq_lt(m, end)) {
                snd_max[h] = Some(end);
            }
        }
        if !p.flags.contains(Flags::ACK) || p.flags.contains(Flags::RST) {
            continue;
        }
        let pure = len == 0;
        let outstanding = snd_max[1 - h].is_some_and(|m| seq_lt(p.ack, m));
        if pure && outstanding && last[h] == Some((p.ack, p.window)) {
            segs[i].duplicate_ack = true;
        }
        last[h] = Some((p.ack, p.window));
    }
}

/// Whether the FIN in packet `i` came from `close()` or `shutdown(SHUT_WR)`:
/// a side that goes on acknowledging the peer's new data after its FIN still
/// reads, so it only shut its sending side (a closed socket answers new data
/// with a RST: Linux `tcp_rcv_state_process`, TCPAbortOnData).
fn fin_call(pk: &[&Packet], from: &[Host], i: usize) -> AppCall {
    let me = from[i];
    let acked_at_fin = pk[i].ack;
    // The first byte of each peer data segment beyond what the FIN acknowledged.
    let mut peer_data: Vec<u32> = Vec::new();
    for j in i + 1..pk.len().min(i + 1 + LOOKAHEAD) {
        let q = pk[j];
        if from[j] != me {
            if q.len > 0 && seq_lt(acked_at_fin, q.seq.wrapping_add(q.len)) {
                peer_data.push(if seq_lt(q.seq, acked_at_fin) {
                    acked_at_fin
                } else {
                    q.seq
                });
            }
            continue;
        }
        if q.flags.contains(Flags::RST) {
            break;
        }
        if q.flags.contains(Flags::ACK) && peer_data.iter().any(|&s| seq_lt(s, q.ack)) {
            return AppCall::ShutdownWrite;
        }
    }
    AppCall::Close
}

/// The peer's segments the capture showed before a given frame (the last
/// [`LOOKAHEAD`] of them), to tell a gap the capture missed from one the
/// replay could not fill (the endpoint keeps no out-of-order queue).
struct PeerSeen<'a> {
    pk: &'a [&'a Packet],
    from: &'a [Host],
    upto: usize,
    me: Host,
}

impl PeerSeen<'_> {
    /// Whether the peer's segments seen so far cover `[start, end)`.
    fn covers(&self, start: u32, end: u32) -> bool {
        let mut spans: Vec<(u32, u32)> = (self.upto.saturating_sub(LOOKAHEAD)..self.upto)
            .filter(|&j| self.from[j] != self.me)
            .map(|j| self.pk[j])
            .filter(|q| seg_len(q) > 0 && !q.flags.contains(Flags::RST))
            .filter_map(|q| {
                // Offsets from `start`, clipped to the gap.
                let s = q.seq.wrapping_sub(start);
                let e = q.seq.wrapping_add(seg_len(q)).wrapping_sub(start);
                let len = end.wrapping_sub(start);
                let (s, e) = (s as i32 as i64, e as i32 as i64);
                let (s, e) = (s.max(0), e.min(i64::from(len)));
                (s < e).then_some((s as u32, e as u32))
            })
            .collect();
        spans.sort_unstable();
        let mut reached = 0u32;
        for (s, e) in spans {
            if s > reached {
                return false;
            }
            reached = reached.max(e);
        }
        reached >= end.wrapping_sub(start)
    }
}

/// One side replayed through the engine's endpoint.
struct Replay {
    ep: Endpoint,
    /// Deadlines of the endpoint's timers, from its events.
    timers: [Option<Instant>; TimerKind::ALL.len()],
    changes: Vec<(Instant, TcpState, TcpState, Cause)>,
    /// What the endpoint has sent and the capture has not yet matched.
    pending: Vec<Segment>,
    restarts: Vec<Instant>,
    unseen: Vec<(Instant, u32, bool)>,
}

/// At most this many unmatched segments are kept to match the capture against.
const PENDING_MAX: usize = 64;

impl Replay {
    fn collect(&mut self, now: Instant, cause: Cause) {
        let events: Vec<EndpointEvent> = self.ep.drain_events().collect();
        for e in events {
            match e {
                EndpointEvent::State { from, to } => self.changes.push((now, from, to, cause)),
                EndpointEvent::Timer {
                    timer,
                    action,
                    deadline,
                } => {
                    let slot = &mut self.timers[timer.index()];
                    match action {
                        TimerAction::Armed | TimerAction::Restarted => {
                            if timer == TimerKind::TimeWait && action == TimerAction::Restarted {
                                self.restarts.push(now);
                            }
                            *slot = deadline;
                        }
                        TimerAction::Stopped | TimerAction::Expired => *slot = None,
                    }
                }
                EndpointEvent::Transmit(tx) => {
                    if self.pending.len() == PENDING_MAX {
                        self.pending.remove(0);
                    }
                    self.pending.push(tx.segment);
                }
                // Timestamps are off in the replay, so nothing is discarded
                // by PAWS.
                EndpointEvent::App { .. } | EndpointEvent::Discard(_) => {}
            }
        }
    }

    /// Runs the timers due by `until`, except the retransmission and loss
    /// probe timers: those fire when the capture shows what they sent.
    fn advance(&mut self, until: Instant, after_capture: bool) {
        for _ in 0..64 {
            let next = TimerKind::ALL
                .iter()
                .filter_map(|&k| self.timers[k.index()].map(|d| (d, k)))
                .min_by_key(|&(d, _)| d);
            let Some((deadline, timer)) = next else {
                return;
            };
            if deadline > until
                || matches!(timer, TimerKind::Retransmission | TimerKind::LossProbe)
                || (after_capture && timer == TimerKind::DelayedAck && self.ep.is_closed())
            {
                return;
            }
            self.ep.on_timeout(deadline);
            self.collect(deadline, Cause::Timer { timer });
        }
    }

    /// Removes the pending segments that make up `seg` (one, or data then a
    /// FIN that the wire shows in one segment); whether there were.
    fn take_matching(&mut self, seg: &Segment) -> bool {
        let strip = |f: Flags| f.without(Flags::PSH);
        let end = seg.seq.wrapping_add(seg.seg_len());
        for i in 0..self.pending.len() {
            let s = self.pending[i];
            if s.seq != seg.seq {
                continue;
            }
            let ack_ok = |s: &Segment| !s.flags.contains(Flags::ACK) || s.ack == seg.ack;
            if !ack_ok(&s) {
                continue;
            }
            let mut flags = strip(s.flags);
            let mut at = s.seq.wrapping_add(s.seg_len());
            let mut len = s.len;
            let mut j = i;
            while at != end && j + 1 < self.pending.len() {
                let t = self.pending[j + 1];
                if t.seq != at || !ack_ok(&t) {
                    break;
                }
                flags = flags | strip(t.flags);
                at = t.seq.wrapping_add(t.seg_len());
                len += t.len;
                j += 1;
            }
            if at == end && flags == strip(seg.flags) && len == seg.len {
                self.pending.drain(..=j);
                return true;
            }
        }
        false
    }

    /// One of this side's own segments: catch the endpoint up with what it
    /// must have received, make the implied application call, check the
    /// endpoint sends the segment. Returns (the call, explained).
    fn own(
        &mut self,
        now: Instant,
        p: &Packet,
        fin_call: AppCall,
        peer_fin: Option<u32>,
        seen: &PeerSeen,
    ) -> (Option<AppCall>, bool) {
        let seg = segment(p);
        let frame = p.frame;
        let st = self.ep.state();
        // It acknowledges more than it was handed: it received what the
        // capture did not show.
        if p.flags.contains(Flags::ACK)
            && !p.flags.contains(Flags::RST)
            && st.synchronized()
            && seq_lt(self.ep.rcv_nxt(), p.ack)
            && p.ack.wrapping_sub(self.ep.rcv_nxt()) < 1 << 30
        {
            let missing = p.ack.wrapping_sub(self.ep.rcv_nxt());
            let fin = peer_fin == Some(p.ack.wrapping_sub(1)) && !st.fin_received();
            let bytes = missing - u32::from(fin);
            let mut flags = Flags::ACK;
            if fin {
                flags = flags | Flags::FIN;
            }
            let gap = Segment {
                flags,
                seq: self.ep.rcv_nxt(),
                ack: self.ep.snd_una(),
                len: bytes,
                window: p.window,
                ts: None,
                dsack: None,
            };
            // Seen but out of order (and so not kept by the replay), or
            // never seen at all.
            let missed = !seen.covers(gap.seq, p.ack);
            self.ep.on_segment(now, gap);
            if missed {
                self.collect(now, Cause::Unseen);
                self.unseen.push((now, bytes, fin));
            } else {
                self.collect(now, Cause::Reassembled);
            }
        }
        if self.take_matching(&seg) {
            return (None, true);
        }
        let st = self.ep.state();
        let mut implies = None;
        if p.flags.contains(Flags::RST) {
            if st.synchronized() || st == TcpState::SynReceived {
                self.ep.abort(now);
                implies = Some(AppCall::Abort);
            }
        } else if p.flags.contains(Flags::SYN) && !p.flags.contains(Flags::ACK) {
            if self.ep.is_closed() {
                self.ep.connect(now);
                implies = Some(AppCall::Connect);
            }
        } else {
            let end = p.seq.wrapping_add(p.len);
            let snd_nxt = self.ep.snd_nxt();
            if p.len > 0
                && seq_lt(snd_nxt, end)
                && end.wrapping_sub(snd_nxt) <= p.len
                && matches!(st, TcpState::Established | TcpState::CloseWait)
            {
                self.ep.send(now, end.wrapping_sub(snd_nxt));
                implies = Some(AppCall::Send);
            }
            if p.flags.contains(Flags::FIN) && !self.ep.state().fin_sent() {
                match fin_call {
                    AppCall::ShutdownWrite => self.ep.shutdown_write(now),
                    _ => self.ep.close(now),
                }
                implies = Some(fin_call);
            }
        }
        if implies.is_none() && seg_len(p) > 0 && seq_lt(p.seq, self.ep.snd_nxt()) {
            // A retransmission: the timer that sent it fired now (or the
            // endpoint's estimate of it, if later).
            for timer in [TimerKind::LossProbe, TimerKind::Retransmission] {
                if let Some(deadline) = self.timers[timer.index()] {
                    let at = deadline.max(now);
                    self.ep.on_timeout(at);
                    self.collect(at, Cause::Timer { timer });
                    break;
                }
            }
        }
        self.collect(now, Cause::Sent { frame });
        let explained = self.take_matching(&seg);
        (implies, explained)
    }
}
