//! A sans-IO TCP endpoint, as far as opening and (above all) closing go.
//!
//! Like quinn-proto's `Connection` and smoltcp's `TcpSocket`, an [`Endpoint`] never
//! reads a clock or touches a socket. The caller hands it arriving segments
//! ([`Endpoint::on_segment`]), application calls ([`Endpoint::close`], …) and timer
//! expiries ([`Endpoint::on_timeout`]), each with the current [`Instant`], and then
//! pulls out segments to send and what happened, in order
//! ([`Endpoint::drain_events`]), and the next deadline ([`Endpoint::poll_timeout`]).
//!
//! Segment processing follows the order of RFC 9293 §3.10.7.4 ("SEGMENT ARRIVES",
//! synchronized states): sequence check, RST, SYN, ACK, text, FIN. Where a real
//! stack departs from the RFC the [`Profile`] says how, with the source.
//!
//! The endpoint's parts, each in its own file as smoltcp and quinn-proto keep
//! theirs: the connection's variables in a `Tcb` built fresh for every
//! connection (`tcb.rs`), the timers' deadlines in a `TimerTable`
//! (`timer.rs`, with [`TimerKind`] and [`TimerAction`]), the RTT estimate and
//! RTO in an `RttEstimator` of the profile's family (`rtt.rs`). Sequence
//! numbers inside are [`Seq`]s; [`Segment`] and the getters keep the wire's `u32`.

mod rtt;
mod tcb;
mod timer;

pub use timer::{TimerAction, TimerKind};

use crate::profile::{FinAckPolicy, Nagle, Profile, SynInTimeWait, TailLossProbe, TimeWaitReuse};
use crate::segment::{Flags, Segment, Timestamps};
use crate::seq::Seq;
use crate::state::TcpState;
use crate::time::{Duration, Instant};
use crate::trace::DiscardReason;
use serde::{Deserialize, Serialize};
use tcb::{Tcb, Unacked};
use timer::TimerTable;

/// Receive window we advertise (no window scaling or flow control is modelled).
pub const RCV_WND: u32 = 65_535;
/// Maximum segment size (Ethernet MTU 1500 − 40 bytes of IPv4 and TCP headers).
/// A connection with timestamps carries [`Timestamps::LEN`] bytes less (1448).
pub const MSS: u32 = 1460;
/// Linux answers out-of-window pure ACKs at most once per `tcp_invalid_ratelimit`
/// (500 ms, `tcp_oow_rate_limited` in net/ipv4/tcp_input.c); without it two
/// desynchronized endpoints would ACK each other forever (an "ACK storm").
pub const OOW_ACK_INTERVAL: Duration = Duration::from_millis(500);

/// The TCP options of a segment the endpoint sends.
#[derive(Clone, Copy, Debug, Default)]
struct Options {
    ts: Option<Timestamps>,
    dsack: Option<(Seq, Seq)>,
}

impl Options {
    const NONE: Options = Options {
        ts: None,
        dsack: None,
    };
}

/// Why data was discarded, in RFC 9293's words (§3.10.5 ABORT, §3.10.7.4 RST:
/// "connection reset"; §3.10.8 USER TIMEOUT).
const RESET: &str = "connection reset";
const USER_TIMEOUT: &str = "connection aborted due to user timeout";
/// close() with unread data sends a RST instead of a FIN (RFC 2525 §2.17).
const CLOSED_UNREAD: &str = "closed with unread data";

/// Something the endpoint did that the trace records.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EndpointEvent {
    State {
        from: TcpState,
        to: TcpState,
    },
    Timer {
        timer: TimerKind,
        action: TimerAction,
        deadline: Option<Instant>,
    },
    App {
        call: AppCall,
        bytes: Option<u32>,
        error: Option<&'static str>,
    },
    /// A segment to put on the wire (kept in the same queue as the other events so
    /// the trace shows them in the order they happened).
    Transmit(Transmit),
    /// The segment just handed to [`Endpoint::on_segment`] was thrown away
    /// unprocessed, for this reason (a reply, if any, follows as a `Transmit`).
    Discard(DiscardReason),
}

/// An application call, or what the application learns (the trace's `app` event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppCall {
    Connect,
    Send,
    Close,
    ShutdownWrite,
    Abort,
    /// The application read `bytes` of data.
    Read,
    /// The application read end-of-file (the peer's FIN).
    ReadEof,
    /// The application learns the connection was reset (ECONNRESET).
    Reset,
    /// The application learns the connection timed out (ETIMEDOUT).
    TimedOut,
    /// Bytes the application wrote that never left the host: the connection was
    /// closed or aborted before they could be sent (RFC 9293 §3.10.4 CLOSE in
    /// SYN-SENT: queued SENDs get "error: closing"; §3.10.5 ABORT: "connection
    /// reset"). `send()` had already returned, so only the trace can tell.
    UnsentDiscarded,
    /// Bytes sent but never acknowledged when the connection was torn down (an
    /// abort, a reset, retries exhausted): the peer may or may not have them
    /// (RFC 9293 §3.10.5: segments queued for retransmission are flushed).
    UnackedDiscarded,
    /// Bytes that arrived but the application never read: close() with unread
    /// data (Linux `TCPAbortOnClose`, RFC 2525 §2.17), or data reaching a socket
    /// whose application had closed (Linux `TCPAbortOnData`).
    UnreadDiscarded,
}

impl AppCall {
    pub const fn label(self) -> &'static str {
        match self {
            AppCall::Connect => "connect()",
            AppCall::Send => "send()",
            AppCall::Close => "close()",
            AppCall::ShutdownWrite => "shutdown(SHUT_WR)",
            AppCall::Abort => "close() with SO_LINGER 0",
            AppCall::Read => "read()",
            AppCall::ReadEof => "read() = 0 (EOF)",
            AppCall::Reset => "sees the connection reset",
            AppCall::TimedOut => "sees the connection time out",
            AppCall::UnsentDiscarded => "loses unsent data",
            AppCall::UnackedDiscarded => "loses unacknowledged data",
            AppCall::UnreadDiscarded => "loses unread data",
        }
    }

    /// Whether this event says bytes of data were thrown away.
    pub const fn discards(self) -> bool {
        matches!(
            self,
            AppCall::UnsentDiscarded | AppCall::UnackedDiscarded | AppCall::UnreadDiscarded
        )
    }
}

/// A segment to put on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub segment: Segment,
    pub retransmission: bool,
}

/// Per-endpoint configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub profile: Profile,
    /// The application reads whatever arrives, at once.
    pub app_reads: bool,
    /// A listening socket stands behind this endpoint: a SYN opens a connection.
    pub listen: bool,
    /// Initial sequence numbers for the 1st, 2nd, … connection (cycled if short).
    pub isns: Vec<u32>,
    /// Added to the clock (in ms) to make TSval: Linux keeps one offset per
    /// pair of addresses (`secure_tcp_ts_off`), so every connection to the
    /// same peer continues the same timestamp clock (RFC 7323 §5.4, §7.1).
    pub ts_offset: u32,
}

/// `a` is before `b` on the timestamp clock: RFC 7323 §5.2 compares TSvals
/// as 32-bit serial numbers, as RFC 9293 compares sequence numbers
/// (Linux `tcp_paws_check`: `(s32)(ts_recent - rcv_tsval)`).
fn ts_before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// The ISN Linux gives a connection that replaces a TIME_WAIT one: the old
/// SND.NXT + 65535 + 2, never 0 (`tcp_timewait_state_process` for a SYN into
/// TIME_WAIT, `tcp_twsk_unique` for a connect() over one), so that the new
/// sequence space starts a full window beyond anything the old one sent.
fn tw_isn(snd_nxt: Seq) -> Seq {
    match snd_nxt + (65_535 + 2) {
        Seq::ZERO => Seq(1),
        isn => isn,
    }
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    cfg: Config,
    state: TcpState,
    /// Connection incarnation: 0 before the first, then 1, 2, …
    conn: u32,
    /// The current (or last) connection's control block, built fresh by
    /// [`Endpoint::begin_connection`].
    tcb: Tcb,
    /// The time handed to the call being processed (TSval is read from it).
    now: Instant,
    /// The application binds its port before connect() (see `HostConfig::bind`).
    port_bound: bool,
    /// Clock-driven ISNs (RFC 9293 §3.4.1, ISN = M + F(4-tuple)): nanoseconds
    /// per tick of M, and when the first connection began. Later connections
    /// on the 4-tuple then start M's ticks later than the first: Linux
    /// `secure_tcp_seq` adds `ktime_get_real_ns() >> 6` to a hash of the
    /// 4-tuple. `None`: every ISN from `cfg.isns` (the scenario gave them).
    isn_clock: Option<(u64, Instant)>,
    /// ISNs not taken from `cfg.isns`: the connections (`isn_taken_conn`) whose
    /// ISN came from the clock or from a TIME_WAIT they replaced (Linux
    /// `tcp_tw_isn`, `tcp_twsk_unique`), and those ISNs. (Two `Vec<u32>`
    /// rather than one of pairs: the wasm already has `Vec<u32>`'s code.)
    isn_taken_conn: Vec<u32>,
    isn_taken: Vec<u32>,
    timers: TimerTable,
    events: Vec<EndpointEvent>,
}

impl Endpoint {
    /// A socket in CLOSED, or LISTEN if `cfg.listen`.
    // Not inlined in the size-optimised wasm, which would otherwise copy it,
    // with its `Tcb` built in place, into each of its three callers (+1.7 KB
    // gzipped); natively, inlining it saves 1 % of a lifecycle's instructions.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn new(cfg: Config) -> Endpoint {
        let state = if cfg.listen {
            TcpState::Listen
        } else {
            TcpState::Closed
        };
        Endpoint {
            tcb: Tcb::new(&cfg.profile, Seq::ZERO, Vec::new()),
            cfg,
            state,
            conn: 0,
            now: Instant::ZERO,
            port_bound: true,
            isn_clock: None,
            isn_taken_conn: Vec::new(),
            isn_taken: Vec::new(),
            timers: TimerTable::default(),
            events: Vec::new(),
        }
    }

    /// Starts ESTABLISHED without a handshake, as if one had just completed with
    /// the peer's ISN `irs` and had measured `rtt` (so the RTO is what it would be
    /// on a real connection over this link). Timestamps are on if the profile
    /// offers them (both sides run one profile), with `peer_tsval`, the peer's
    /// timestamp clock at t = 0, as TS.Recent.
    pub fn new_established(cfg: Config, irs: u32, peer_tsval: u32, rtt: Duration) -> Endpoint {
        let mut ep = Endpoint::new(cfg);
        ep.establish(irs, peer_tsval, rtt);
        ep
    }

    /// Makes this endpoint the one [`Endpoint::new`] builds for `cfg`, keeping
    /// only its buffers' memory (emptied), so that a simulator running
    /// scenario after scenario through the same two endpoints allocates
    /// nothing after the first.
    pub fn renew(&mut self, cfg: Config) {
        fn reuse<T>(buffer: &mut Vec<T>, into: &mut Vec<T>) {
            buffer.clear();
            std::mem::swap(buffer, into);
        }
        let mut fresh = Endpoint::new(cfg);
        reuse(&mut self.isn_taken_conn, &mut fresh.isn_taken_conn);
        reuse(&mut self.isn_taken, &mut fresh.isn_taken);
        reuse(&mut self.events, &mut fresh.events);
        reuse(
            &mut self.tcb.retransmit_queue,
            &mut fresh.tcb.retransmit_queue,
        );
        *self = fresh;
    }

    /// Takes `cfg.isns` away (leaving it empty), for its buffer to be
    /// refilled and handed back to [`Endpoint::renew`].
    pub fn take_isns(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.cfg.isns)
    }

    /// What [`Endpoint::new_established`] does to a new endpoint.
    pub fn establish(&mut self, irs: u32, peer_tsval: u32, rtt: Duration) {
        self.begin_connection();
        self.tcb.ts_recent = peer_tsval;
        self.tcb.irs = Seq(irs);
        self.tcb.rcv_nxt = self.tcb.irs + 1;
        self.tcb.last_ack_sent = self.tcb.rcv_nxt;
        self.tcb.snd_una = self.tcb.iss + 1;
        self.tcb.snd_nxt = self.tcb.snd_una;
        self.state = TcpState::Established;
        self.rtt_sample(rtt);
    }

    pub fn state(&self) -> TcpState {
        self.state
    }
    pub fn conn(&self) -> u32 {
        self.conn
    }
    /// Our initial sequence number for the current (or last) connection.
    pub fn iss(&self) -> u32 {
        self.tcb.iss.get()
    }
    /// The peer's initial sequence number as we learnt it.
    pub fn irs(&self) -> u32 {
        self.tcb.irs.get()
    }
    /// SND.UNA, SND.NXT and RCV.NXT (RFC 9293 §3.3.1): what a capture reader
    /// replaying segments through this endpoint checks the wire against.
    pub fn snd_una(&self) -> u32 {
        self.tcb.snd_una.get()
    }
    pub fn snd_nxt(&self) -> u32 {
        self.tcb.snd_nxt.get()
    }
    pub fn rcv_nxt(&self) -> u32 {
        self.tcb.rcv_nxt.get()
    }
    pub fn profile(&self) -> &Profile {
        &self.cfg.profile
    }
    /// Whether the application binds its port before connect() (the default),
    /// or lets connect() choose it: Linux's `tcp_tw_reuse` applies only then.
    pub fn set_port_bound(&mut self, bound: bool) {
        self.port_bound = bound;
    }
    /// Connections after the first take their ISN from the clock, `tick_ns`
    /// per step, counted from the first connection's (`cfg.isns[0]`): what
    /// RFC 9293 §3.4.1 asks for and Linux does (64 ns, `secure_tcp_seq`), so a
    /// reconnect on the same 4-tuple starts above the old sequence space.
    pub fn set_isn_clock(&mut self, tick_ns: u64) {
        self.isn_clock = Some((tick_ns, Instant::ZERO));
    }
    /// The ISN this endpoint uses (or will use) for connection number `conn`
    /// (1-based). The current connection's is its TCB's ISS: the simulator
    /// asks twice for every segment, so that answer costs neither the search
    /// nor the division below.
    pub fn isn_for(&self, conn: u32) -> u32 {
        if conn == self.conn && conn != 0 {
            return self.tcb.iss.get();
        }
        self.planned_isn(conn)
    }

    /// [`Endpoint::isn_for`] from the record alone: an ISN taken
    /// ([`Endpoint::note_isn`]), else `cfg.isns`, cycled.
    fn planned_isn(&self, conn: u32) -> u32 {
        if let Some(i) = self.isn_taken_conn.iter().position(|c| *c == conn) {
            return self.isn_taken[i];
        }
        let n = self.cfg.isns.len().max(1);
        self.cfg
            .isns
            .get((conn.saturating_sub(1) as usize) % n)
            .copied()
            .unwrap_or(0)
    }
    /// The next moment [`Endpoint::on_timeout`] must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, EndpointEvent> {
        self.events.drain(..)
    }
    /// Moves the pending events into `out` (which must be empty) without
    /// allocating: the endpoint keeps `out`'s old buffer for its next events.
    pub fn take_events(&mut self, out: &mut Vec<EndpointEvent>) {
        debug_assert!(out.is_empty());
        std::mem::swap(&mut self.events, out);
    }
    /// Whether the endpoint owns a connection that has not finished closing.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, TcpState::Closed | TcpState::Listen)
    }

    // ----- application calls (RFC 9293 §3.10.1–§3.10.6) -----

    /// connect(): active OPEN (RFC 9293 §3.10.1).
    pub fn connect(&mut self, now: Instant) {
        self.now = now;
        if self.state == TcpState::TimeWait {
            match self.time_wait_reusable(now) {
                Err(errno) => {
                    self.app(AppCall::Connect, None, Some(errno));
                    return;
                }
                Ok(isn) => {
                    // The TIME_WAIT socket is taken over: Linux
                    // `__inet_check_established` unhashes it
                    // (TCPTimeWaitRecycled) and the new socket goes SYN_SENT.
                    self.app(AppCall::Connect, None, None);
                    let ts_recent = self.tcb.ts_recent;
                    self.stop(TimerKind::TimeWait);
                    self.begin_connection();
                    self.take_isn(isn);
                    // `tcp_twsk_unique`: "tp->rx_opt.ts_recent = tcptw->tw_ts_recent",
                    // so the SYN's TSecr echoes the old connection's last TSval.
                    self.tcb.ts_recent = ts_recent;
                    self.send_syn(now);
                    return;
                }
            }
        }
        if !self.is_closed() {
            self.app(AppCall::Connect, None, Some("EISCONN"));
            return;
        }
        self.app(AppCall::Connect, None, None);
        self.begin_connection();
        self.send_syn(now);
    }

    fn send_syn(&mut self, now: Instant) {
        self.tcb.snd_una = self.tcb.iss;
        self.tcb.snd_nxt = self.tcb.iss;
        self.send_new(now, Flags::SYN, 0);
        self.set_state(TcpState::SynSent);
        if let Some(deadline) = self.cfg.profile.keepinit {
            self.arm(now, TimerKind::KeepInit, deadline);
        }
    }

    /// Records `isn` as the current connection's, for [`Endpoint::isn_for`].
    fn note_isn(&mut self, isn: u32) {
        match self.isn_taken_conn.iter().position(|c| *c == self.conn) {
            Some(i) => self.isn_taken[i] = isn,
            None => {
                self.isn_taken_conn.push(self.conn);
                self.isn_taken.push(isn);
            }
        }
    }

    /// Uses `isn` for the connection just begun, instead of `cfg.isns`.
    fn take_isn(&mut self, isn: Seq) {
        self.tcb.iss = isn;
        self.tcb.snd_sml = isn;
        self.note_isn(isn.get());
    }

    /// May connect() take over our own TIME_WAIT 4-tuple? `Ok(ISN)` or the errno.
    /// Linux `tcp_twsk_unique` (net/ipv4/tcp_ipv4.c): timestamps must have been
    /// seen (`tw_ts_recent_stamp`); a port bound before connect() reaches it
    /// with `twp` NULL and is reused whatever the sysctl; a port connect()
    /// chose needs `tcp_tw_reuse` (2 = loopback only) and
    /// `tcp_clock_ms() > tw_entry_stamp + tcp_tw_reuse_delay`. The new
    /// write_seq is `tw_snd_nxt + 65535 + 2` (never 0). Otherwise
    /// `__inet_check_established` returns -EADDRNOTAVAIL.
    fn time_wait_reusable(&self, now: Instant) -> Result<Seq, &'static str> {
        match self.cfg.profile.time_wait_reuse {
            TimeWaitReuse::Refused(errno) => Err(errno),
            TimeWaitReuse::Linux { tw_reuse, delay } => {
                // 2 reuses only on loopback; the engine's hosts are 10.0.0.1/2.
                let sysctl_allows =
                    tw_reuse == 1 && now.saturating_since(self.tcb.time_wait_since) > delay;
                if self.tcb.ts_on && (self.port_bound || sysctl_allows) {
                    Ok(tw_isn(self.tcb.snd_nxt))
                } else {
                    Err("EADDRNOTAVAIL")
                }
            }
        }
    }

    /// send(): queue `bytes` of data (RFC 9293 §3.10.2).
    pub fn send(&mut self, now: Instant, bytes: u32) {
        self.now = now;
        match self.state {
            TcpState::Established | TcpState::CloseWait => {
                self.app(AppCall::Send, Some(bytes), None);
                self.send_data(now, bytes);
            }
            TcpState::SynSent | TcpState::SynReceived if !self.tcb.fin_queued => {
                self.app(AppCall::Send, Some(bytes), None);
                self.tcb.unsent += bytes;
            }
            s if s.fin_sent() || self.tcb.fin_queued => {
                self.app(AppCall::Send, Some(bytes), Some("EPIPE"))
            }
            _ => self.app(AppCall::Send, Some(bytes), Some("ENOTCONN")),
        }
    }

    /// close(): RFC 9293 §3.10.4, with Linux `__tcp_close`'s rule that unread
    /// received data turns the FIN into a RST (RFC 2525 §2.17).
    pub fn close(&mut self, now: Instant) {
        self.now = now;
        self.app(AppCall::Close, None, None);
        let was_orphaned = self.tcb.orphaned;
        self.tcb.orphaned = true;
        // Linux `__tcp_close` flushes the receive queue on the descriptor's
        // close and counts what was unread. A connection that already ended (its
        // socket is TCP_CLOSE once in TIME_WAIT: `tcp_time_wait` hands the
        // connection to a timewait sock and `tcp_done` closes the socket) just
        // loses it; a live one is reset instead of closed (RFC 2525 §2.17).
        if self.tcb.unread > 0 && matches!(self.state, TcpState::TimeWait | TcpState::Closed) {
            self.discard_data(CLOSED_UNREAD);
        }
        if self.tcb.unread > 0 && (self.state.synchronized() || self.state == TcpState::SynReceived)
        {
            self.discard_data(CLOSED_UNREAD);
            self.send_reset_ack();
            self.set_state(TcpState::Closed);
            return;
        }
        match self.state {
            TcpState::Listen => {
                // Closing the listening socket: later SYNs are refused.
                self.cfg.listen = false;
                self.set_state(TcpState::Closed);
            }
            // RFC 9293 §3.10.4 SYN-SENT: "Delete the TCB and return 'error:
            // closing' responses to any queued SENDs".
            TcpState::SynSent => {
                self.discard_data("closing");
                self.set_state(TcpState::Closed);
            }
            // RFC 9293 §3.10.4 SYN-RECEIVED: with data pending, "queue for
            // processing after entering ESTABLISHED state".
            TcpState::SynReceived if self.tcb.unsent > 0 => self.tcb.fin_queued = true,
            TcpState::SynReceived | TcpState::Established => {
                self.send_fin(now);
                self.set_state(TcpState::FinWait1);
            }
            TcpState::CloseWait => {
                self.send_fin(now);
                self.set_state(TcpState::LastAck);
            }
            TcpState::FinWait2 if !was_orphaned => self.arm_fin_wait_2(now),
            _ => {}
        }
    }

    /// shutdown(SHUT_WR): send FIN but keep receiving (half-close).
    pub fn shutdown_write(&mut self, now: Instant) {
        self.now = now;
        match self.state {
            TcpState::SynReceived if self.tcb.unsent > 0 => {
                self.app(AppCall::ShutdownWrite, None, None);
                self.tcb.fin_queued = true;
            }
            TcpState::SynReceived | TcpState::Established => {
                self.app(AppCall::ShutdownWrite, None, None);
                self.send_fin(now);
                self.set_state(TcpState::FinWait1);
            }
            TcpState::CloseWait => {
                self.app(AppCall::ShutdownWrite, None, None);
                self.send_fin(now);
                self.set_state(TcpState::LastAck);
            }
            TcpState::SynSent => {
                self.app(AppCall::ShutdownWrite, None, None);
                self.tcb.fin_queued = true;
            }
            s if s.fin_sent() => self.app(AppCall::ShutdownWrite, None, None),
            _ => self.app(AppCall::ShutdownWrite, None, Some("ENOTCONN")),
        }
    }

    /// close() with SO_LINGER {1, 0}: ABORT (RFC 9293 §3.10.5). A RST goes out in
    /// every state that has a peer to tell, and TIME_WAIT is skipped. "All queued
    /// SENDs and RECEIVEs should be given 'connection reset' notification; all
    /// segments queued for transmission ... or retransmission should be flushed".
    pub fn abort(&mut self, now: Instant) {
        self.now = now;
        self.app(AppCall::Abort, None, None);
        self.tcb.orphaned = true;
        self.discard_data(RESET);
        match self.state {
            TcpState::Closed => {}
            TcpState::Listen => {
                self.cfg.listen = false;
                self.set_state(TcpState::Closed);
            }
            TcpState::SynSent | TcpState::TimeWait => self.set_state(TcpState::Closed),
            _ => {
                self.send_reset_ack();
                self.set_state(TcpState::Closed);
            }
        }
    }

    // ----- timers -----

    /// Runs every timer whose deadline is at or before `now`.
    pub fn on_timeout(&mut self, now: Instant) {
        self.now = now;
        for timer in TimerKind::ALL {
            if !self.timers.expire(timer, now) {
                continue;
            }
            self.events.push(EndpointEvent::Timer {
                timer,
                action: TimerAction::Expired,
                deadline: None,
            });
            match timer {
                TimerKind::Retransmission => self.on_retransmission_timeout(now),
                TimerKind::LossProbe => self.on_loss_probe(now),
                TimerKind::KeepInit => self.on_keepinit(),
                TimerKind::DelayedAck => self.send_ack(),
                // Linux `tcp_fin_timeout`: the orphan disappears without a word.
                TimerKind::FinWait2 => self.set_state(TcpState::Closed),
                // RFC 9293 §3.10.8: "delete the TCB, enter the CLOSED state".
                TimerKind::TimeWait => self.set_state(TcpState::Closed),
            }
        }
    }

    /// RFC 6298 §5.4–5.6: retransmit the earliest unacknowledged segment, back the
    /// timer off, give up after the profile's retry limit.
    fn on_retransmission_timeout(&mut self, now: Instant) {
        let Some(head) = self.tcb.retransmit_queue.first().copied() else {
            return;
        };
        self.tcb.retries += 1;
        let p = &self.cfg.profile;
        let syn = head.flags.contains(Flags::SYN);
        let limit = if syn {
            p.syn_retries
        } else if self.tcb.orphaned {
            p.orphan_retries
        } else {
            p.max_retries
        };
        // illumos `tcp_timer` (`tcp_timers.c:928`): past the threshold of
        // time waited, whatever the count.
        let out_of_time = p
            .give_up_after
            .is_some_and(|g| self.tcb.waited > if syn { g.connect } else { g.data });
        if self.tcb.retries > limit || out_of_time {
            if !self.tcb.orphaned {
                self.app(AppCall::TimedOut, None, Some("ETIMEDOUT"));
            }
            // RFC 9293 §3.10.8 USER TIMEOUT: "flush all queues"; Linux counts an
            // orphan's give-up in TCPAbortOnTimeout.
            self.discard_data(USER_TIMEOUT);
            self.set_state(TcpState::Closed);
            return;
        }
        self.tcb.rtt.back_off();
        self.tcb.rtt_probe = None;
        self.tcb.recovering = true;
        self.retransmit(head);
        let rto = self.tcb.rtt.rto(&self.cfg.profile, self.synchronized());
        self.tcb.waited = self.tcb.waited + rto;
        self.arm(now, TimerKind::Retransmission, rto);
    }

    /// The BSDs' keepinit (`tcp_timer_keep`): a connection still not
    /// ESTABLISHED is dropped, and connect() fails with ETIMEDOUT.
    fn on_keepinit(&mut self) {
        if self.state != TcpState::SynSent {
            return;
        }
        self.app(AppCall::TimedOut, None, Some("ETIMEDOUT"));
        self.discard_data(USER_TIMEOUT);
        self.set_state(TcpState::Closed);
    }

    // ----- segment arrival (RFC 9293 §3.10.7) -----

    pub fn on_segment(&mut self, now: Instant, seg: Segment) {
        self.now = now;
        match self.state {
            TcpState::Closed if self.cfg.listen && seg.flags == Flags::SYN => {
                // The listening socket behind a finished connection takes the SYN.
                self.set_state(TcpState::Listen);
                self.on_listen(now, seg);
            }
            TcpState::Closed => self.reply_no_connection(seg),
            TcpState::Listen => self.on_listen(now, seg),
            TcpState::SynSent => self.on_syn_sent(now, seg),
            _ => self.on_synchronized(now, seg),
        }
    }

    /// RFC 9293 §3.10.7.1, CLOSED: every segment but a RST is answered by a RST.
    fn reply_no_connection(&mut self, seg: Segment) {
        if seg.flags.contains(Flags::RST) {
            return;
        }
        if seg.flags.contains(Flags::ACK) {
            self.send_reset(Flags::RST, seg.ack_number(), Seq::ZERO);
        } else {
            let ack = seg.seq_number() + seg.seg_len();
            self.send_reset(Flags::RST | Flags::ACK, Seq::ZERO, ack);
        }
    }

    /// RFC 9293 §3.10.7.2, LISTEN.
    fn on_listen(&mut self, now: Instant, seg: Segment) {
        if seg.flags.contains(Flags::RST) {
            return;
        }
        if seg.flags.contains(Flags::ACK) {
            self.send_reset(Flags::RST, seg.ack_number(), Seq::ZERO);
            return;
        }
        if !seg.flags.contains(Flags::SYN) {
            return;
        }
        self.open_passive(now, seg, None);
    }

    /// A SYN taken by the listening socket: SYN_RECEIVED, with the SYN-ACK
    /// sent. `isn`: the one the TIME_WAIT it replaces chose (Linux), if any.
    fn open_passive(&mut self, now: Instant, seg: Segment, isn: Option<Seq>) {
        self.begin_connection();
        if let Some(isn) = isn {
            self.take_isn(isn);
        }
        self.ts_from_syn(&seg);
        self.tcb.irs = seg.seq_number();
        self.tcb.rcv_nxt = self.tcb.irs + 1;
        self.tcb.snd_una = self.tcb.iss;
        self.tcb.snd_nxt = self.tcb.iss;
        self.send_new(now, Flags::SYN | Flags::ACK, 0);
        self.set_state(TcpState::SynReceived);
    }

    /// RFC 9293 §3.10.7.3, SYN-SENT.
    fn on_syn_sent(&mut self, now: Instant, seg: Segment) {
        let ack_ok = seg.flags.contains(Flags::ACK)
            && self.tcb.iss.lt(seg.ack_number())
            && seg.ack_number().le(self.tcb.snd_nxt);
        if seg.flags.contains(Flags::ACK) && !ack_ok {
            if !seg.flags.contains(Flags::RST) {
                self.send_reset(Flags::RST, seg.ack_number(), Seq::ZERO);
            }
            return;
        }
        if seg.flags.contains(Flags::RST) {
            if ack_ok {
                self.app(AppCall::Reset, None, Some("ECONNREFUSED"));
                self.discard_data("connection refused");
                self.set_state(TcpState::Closed);
            }
            return;
        }
        if !seg.flags.contains(Flags::SYN) {
            return;
        }
        self.ts_from_syn(&seg);
        self.tcb.irs = seg.seq_number();
        self.tcb.rcv_nxt = self.tcb.irs + 1;
        if ack_ok {
            self.on_new_ack(now, seg.ack_number());
            self.set_state(TcpState::Established);
            self.send_ack();
            self.flush_queued(now);
        } else {
            // Simultaneous open.
            self.set_state(TcpState::SynReceived);
            self.emit(Flags::SYN | Flags::ACK, self.tcb.iss, 0, true);
        }
    }

    /// RFC 9293 §3.10.7.4: SYN-RECEIVED and every synchronized state.
    fn on_synchronized(&mut self, now: Instant, seg: Segment) {
        // RFC 7323 §5.3 R1, checked before the sequence number as Linux
        // `tcp_validate_incoming` (and `tcp_timewait_state_process`) do.
        if self.paws_rejects(&seg) {
            self.events
                .push(EndpointEvent::Discard(DiscardReason::Paws));
            // Linux 6.13+ drops an old pure ACK without a reply
            // (TCP_RFC7323_PAWS_ACK: "Old ACK are common"); anything else gets
            // the duplicate ACK of R1, rate-limited like any out-of-window ACK.
            let old_ack = seg.seg_len() == 0 && seg.seq_number().lt(self.tcb.rcv_nxt);
            if !seg.flags.contains(Flags::RST) && !old_ack {
                self.note_duplicate(&seg);
                self.send_oow_ack(now, &seg);
            }
            return;
        }
        if self.state == TcpState::TimeWait {
            self.on_time_wait(now, seg);
            return;
        }
        let rst = seg.flags.contains(Flags::RST);

        // First: is the sequence number acceptable?
        if !self.acceptable(&seg) {
            if !rst {
                self.note_duplicate(&seg);
                self.send_oow_ack(now, &seg);
            }
            return;
        }

        // Second: RST (RFC 5961 §3.2: only an exact match resets; an in-window
        // one gets a challenge ACK).
        if rst {
            if seg.seq_number() == self.tcb.rcv_nxt {
                self.on_reset();
            } else {
                self.send_ack();
            }
            return;
        }

        // Fourth: a SYN in a synchronized state gets a challenge ACK (RFC 5961 §4).
        if seg.flags.contains(Flags::SYN) {
            self.send_oow_ack(now, &seg);
            return;
        }

        // Fifth: the ACK field.
        if !seg.flags.contains(Flags::ACK) {
            return;
        }
        if self.state == TcpState::SynReceived {
            if self.tcb.snd_una.lt(seg.ack_number()) && seg.ack_number().le(self.tcb.snd_nxt) {
                self.set_state(TcpState::Established);
            } else {
                self.send_reset(Flags::RST, seg.ack_number(), Seq::ZERO);
                return;
            }
        }
        if self.tcb.snd_nxt.lt(seg.ack_number()) {
            // It acknowledges something not yet sent.
            self.send_oow_ack(now, &seg);
            return;
        }
        self.note_tsval(&seg);
        if self.tcb.snd_una.lt(seg.ack_number()) {
            self.on_new_ack(now, seg.ack_number());
        }
        // A retransmission of text or FIN we already have: its ACK field was worth
        // processing, the rest is answered by an immediate ACK (BSD `tcp_input`
        // "todrop", Linux `tcp_data_queue` "A retransmit ... Force an immediate ack").
        let entirely_old =
            seg.seg_len() > 0 && (seg.seq_number() + seg.seg_len()).le(self.tcb.rcv_nxt);
        // Its old part, if any, is named in the next ACK (`tcp_data_queue`:
        // "A retransmit", and "Partial packet, seq < rcv_next < end_seq").
        self.note_duplicate(&seg);
        let fin_acked = self.fin_acked();
        match self.state {
            TcpState::Established => self.flush_queued(now),
            // A FIN+ACK that acknowledges our FIN goes straight to TIME_WAIT in the
            // FIN step below (RFC 9293 §3.10.7.4 eighth, FIN-WAIT-1: "If our FIN has
            // been ACKed (perhaps in this segment), then enter TIME-WAIT").
            TcpState::FinWait1 if fin_acked && !self.fin_will_be_in_order(&seg) => {
                self.set_state(TcpState::FinWait2);
                if self.tcb.orphaned {
                    self.arm_fin_wait_2(now);
                }
            }
            TcpState::Closing if fin_acked => {
                self.enter_time_wait(now);
                if entirely_old {
                    self.send_ack();
                }
                return;
            }
            TcpState::LastAck if fin_acked => {
                self.set_state(TcpState::Closed);
                return;
            }
            _ => {}
        }

        if entirely_old {
            self.send_ack();
            return;
        }

        // Seventh: segment text.
        let fin_follows = self.fin_will_be_in_order(&seg);
        if seg.len > 0 && !self.on_text(now, &seg, fin_follows) {
            return;
        }

        // Eighth: FIN, if it is next in sequence.
        if self.fin_in_order(&seg) {
            self.on_fin(now);
        }
    }

    /// Before its text is processed: the segment's FIN will be next in sequence.
    fn fin_will_be_in_order(&self, seg: &Segment) -> bool {
        seg.flags.contains(Flags::FIN)
            && seg.seq_number().le(self.tcb.rcv_nxt)
            && self.tcb.rcv_nxt.le(seg.seq_number() + seg.len)
    }

    fn fin_acked(&self) -> bool {
        self.tcb
            .fin_seq
            .is_some_and(|f| (f + 1).le(self.tcb.snd_una))
    }

    /// The segment carries a FIN that is next in sequence (after its own text).
    fn fin_in_order(&self, seg: &Segment) -> bool {
        seg.flags.contains(Flags::FIN) && seg.seq_number() + seg.len == self.tcb.rcv_nxt
    }

    /// RFC 9293 §3.10.7.4 first check, as Linux `tcp_sequence` and BSD `tcp_input`
    /// apply it: a segment that ends at RCV.NXT (a retransmitted FIN, a repeated
    /// segment) is kept so that its ACK field is still processed.
    fn acceptable(&self, seg: &Segment) -> bool {
        let wnd_end = self.tcb.rcv_nxt + RCV_WND;
        let (seq, len) = (seg.seq_number(), seg.seg_len());
        if len == 0 {
            self.tcb.rcv_nxt.le(seq) && seq.le(wnd_end)
        } else {
            self.tcb.rcv_nxt.le(seq + len) && seq.lt(wnd_end)
        }
    }

    /// The peer's SYN (or SYN-ACK) settles whether timestamps are used (RFC 7323
    /// §3.2: only when both SYNs carry the option) and gives TS.Recent.
    fn ts_from_syn(&mut self, seg: &Segment) {
        self.tcb.ts_on &= seg.ts.is_some();
        self.tcb.ts_recent = seg.ts.map_or(0, |t| t.val);
    }

    /// RFC 7323 §4.3: TS.Recent follows the TSval of a segment that covers
    /// Last.ACK.sent, if it is not older (Linux `tcp_replace_ts_recent`).
    fn note_tsval(&mut self, seg: &Segment) {
        if let Some(ts) = seg.ts.filter(|_| self.tcb.ts_on) {
            if seg.seq_number().le(self.tcb.last_ack_sent) && !ts_before(ts.val, self.tcb.ts_recent)
            {
                self.tcb.ts_recent = ts.val;
            }
        }
    }

    /// PAWS (RFC 7323 §5.3 R1) as Linux `tcp_paws_discard` applies it: a TSval
    /// more than one tick older than TS.Recent (`TCP_PAWS_WINDOW`), unless
    /// TS.Recent is 0 (none seen), the segment is a RST (accepted "even if it did
    /// not pass PAWS", except in TIME_WAIT), or a pure ACK of nothing new that
    /// may just have been reordered within an RTO (`tcp_disordered_ack`). The
    /// 24-day idle rule (`TCP_PAWS_WRAP`) is beyond any scenario's time limit.
    fn paws_rejects(&self, seg: &Segment) -> bool {
        let Some(ts) = seg.ts.filter(|_| self.tcb.ts_on) else {
            return false;
        };
        let behind = self.tcb.ts_recent.wrapping_sub(ts.val) as i32;
        if behind <= 1 || self.tcb.ts_recent == 0 {
            return false;
        }
        if self.state == TcpState::TimeWait {
            return true;
        }
        // RTO·1024/HZ jiffies in Linux: the RTO in ms, plus 2.4 %.
        let disordered_ack = seg.flags == Flags::ACK
            && seg.len == 0
            && seg.seq_number() == self.tcb.rcv_nxt
            && seg.ack_number() == self.tcb.snd_una
            && behind as u64
                <= self
                    .tcb
                    .rtt
                    .rto(&self.cfg.profile, self.synchronized())
                    .as_micros()
                    * 1024
                    / 1_000_000;
        !seg.flags.contains(Flags::RST) && !disordered_ack
    }

    /// TIME-WAIT (RFC 9293 §3.10.7.4; Linux `tcp_timewait_state_process`, BSD
    /// `tcp_twcheck`).
    fn on_time_wait(&mut self, now: Instant, seg: Segment) {
        if seg.flags.contains(Flags::SYN) && !seg.flags.contains(Flags::ACK) {
            if let Some(isn) = self.syn_opens_new_connection(&seg) {
                // The TIME_WAIT is descheduled and the listener takes the SYN
                // (Linux `tcp_v4_rcv`, case TCP_TW_SYN; BSD `tcp_twcheck`
                // returns 1 to look the listener up).
                self.stop(TimerKind::TimeWait);
                self.open_passive(now, seg, isn);
                return;
            }
            if self.cfg.profile.syn_in_time_wait == SynInTimeWait::IllumosBeyondWindow {
                // illumos `tcp_time_wait.c:802-804`: an in-window SYN gets a
                // RST|ACK; the TIME_WAIT stays.
                let ack = seg.seq_number() + 1;
                self.send_reset(Flags::RST | Flags::ACK, seg.ack_number(), ack);
                return;
            }
        }
        if seg.flags.contains(Flags::RST) {
            // An exact RST kills TIME_WAIT unless RFC 1337 protection is on
            // ("TIME-WAIT assassination"); any other RST is dropped silently.
            if seg.seq_number() == self.tcb.rcv_nxt && !self.cfg.profile.rfc1337 {
                self.set_state(TcpState::Closed);
            }
            return;
        }
        if seg.flags.contains(Flags::FIN) {
            // "The only thing that can arrive in this state is a retransmission of
            // the remote FIN. Acknowledge it, and restart the 2 MSL timeout."
            // TS.Recent stays: the FIN lies before Last.ACK.sent (RFC 7323
            // §4.3: SEG.SEQ <= Last.ACK.sent < SEG.SEQ + SEG.LEN does not
            // hold), and Linux's timewait socket takes a TSval only from a
            // bare ACK or RST at RCV.NXT (`tcp_timewait_state_process`), so
            // the ACK echoes the first FIN's TSval (recorded:
            // lost-final-ack-ts*).
            self.arm_time_wait(now);
            self.send_ack();
            return;
        }
        if !self.acceptable(&seg) || seg.len > 0 || seg.flags.contains(Flags::SYN) {
            self.send_oow_ack(now, &seg);
        }
    }

    /// A SYN without ACK reaching TIME_WAIT (PAWS already passed): may it open
    /// a new connection? `Some(ISN to use)`, `Some(None)` for the usual choice.
    /// Only with a listening socket behind: without one Linux's TCP_TW_SYN
    /// falls through to the TIME_WAIT ACK.
    fn syn_opens_new_connection(&self, seg: &Segment) -> Option<Option<Seq>> {
        if !self.cfg.listen || seg.flags.contains(Flags::RST) {
            return None;
        }
        let newer_seq = self.tcb.rcv_nxt.lt(seg.seq_number());
        // Wholly beyond the receive window (`todrop >= tlen`; illumos
        // `rgap < 0`).
        let beyond_window = newer_seq && !seg.seq_number().lt(self.tcb.rcv_nxt + RCV_WND);
        match self.cfg.profile.syn_in_time_wait {
            SynInTimeWait::Ack => None,
            SynInTimeWait::NewerSeq => newer_seq.then_some(None),
            SynInTimeWait::BeyondWindow | SynInTimeWait::IllumosBeyondWindow => {
                beyond_window.then_some(None)
            }
            // RFC 6191 §2: with timestamps, a newer TSval (not the ISN) decides;
            // Linux takes either.
            SynInTimeWait::Linux => {
                let newer_ts =
                    self.tcb.ts_on && seg.ts.is_some_and(|t| ts_before(self.tcb.ts_recent, t.val));
                (newer_seq || newer_ts).then_some(Some(tw_isn(self.tcb.snd_nxt)))
            }
        }
    }

    /// An exact RST: what each state does with it (RFC 9293 §3.10.7.4 second).
    fn on_reset(&mut self) {
        match self.state {
            TcpState::SynReceived if self.cfg.listen => {
                self.discard_data(RESET);
                self.set_state(TcpState::Listen);
            }
            TcpState::Closing | TcpState::LastAck => {
                self.discard_data(RESET);
                self.set_state(TcpState::Closed);
            }
            _ => {
                if !self.tcb.orphaned {
                    self.app(AppCall::Reset, None, Some("ECONNRESET"));
                }
                self.discard_data(RESET);
                self.set_state(TcpState::Closed);
            }
        }
    }

    /// Handles payload. Returns whether processing of the segment goes on.
    /// `fin_follows`: the segment's FIN comes right after its text, and the FIN
    /// step decides how the ACK goes (Linux `tcp_data_queue` runs `tcp_fin` before
    /// `tcp_ack_snd_check`, so one ACK, delayed in pingpong mode, covers both).
    fn on_text(&mut self, now: Instant, seg: &Segment, fin_follows: bool) -> bool {
        match self.state {
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2 => {}
            // A FIN was received already: the text cannot be new (RFC 9293 §3.10.7.4).
            _ => return true,
        }
        let end = seg.seq_number() + seg.len;
        if self.tcb.rcv_nxt.lt(seg.seq_number()) {
            // Out of order: we keep no reassembly queue; ACK at once to tell the
            // sender what we miss (RFC 5681 §4.2).
            self.send_ack();
            return false;
        }
        if end.le(self.tcb.rcv_nxt) {
            // Old data: ACK it again.
            self.send_ack();
            return true;
        }
        let new_bytes = end - self.tcb.rcv_nxt;
        if self.tcb.orphaned {
            // Linux `tcp_rcv_state_process`: data for a socket whose application has
            // closed (RCV_SHUTDOWN) is answered with a reset; the socket dies
            // (`TCPAbortOnData`).
            self.tcb.unread += new_bytes;
            self.discard_data("data after close");
            self.send_reset(Flags::RST, seg.ack_number(), Seq::ZERO);
            self.set_state(TcpState::Closed);
            return false;
        }
        self.tcb.rcv_nxt = end;
        self.tcb.data_received = true;
        if self.cfg.app_reads {
            self.app(AppCall::Read, Some(new_bytes), None);
        } else {
            self.tcb.unread += new_bytes;
        }
        // ACK policy: quickack at the start (Linux), else at least every second
        // segment (RFC 9293 §3.8.6.3, MUST-58 via RFC 1122 §4.2.3.2), else delayed.
        if fin_follows {
            // Decided with the FIN.
        } else if self.tcb.quickack > 0 && !self.tcb.pingpong {
            self.tcb.quickack -= 1;
            self.send_ack();
        } else if self.timers.is_running(TimerKind::DelayedAck) {
            self.send_ack();
        } else {
            self.arm(now, TimerKind::DelayedAck, self.cfg.profile.delayed_ack);
        }
        true
    }

    /// The peer's FIN, in sequence (RFC 9293 §3.10.7.4 eighth).
    fn on_fin(&mut self, now: Instant) {
        self.tcb.rcv_nxt += 1;
        if self.cfg.app_reads && self.tcb.unread == 0 && !self.tcb.orphaned {
            self.app(AppCall::ReadEof, None, None);
        }
        match self.state {
            TcpState::SynReceived | TcpState::Established => {
                self.set_state(TcpState::CloseWait);
                match self.cfg.profile.fin_ack {
                    FinAckPolicy::Immediate => self.send_ack(),
                    // No data received yet: Linux's `tcp_send_delayed_ack`
                    // finds `icsk_ack.ato` still 0 (only `tcp_event_data_recv`
                    // sets it, with the quickack count) and arms the timer for
                    // the next jiffy: the FIN is ACKed at once (seen 0.4 ms
                    // after it, before the application's close), so the close
                    // has four segments (the syn-into-time-wait captures).
                    // The next jiffy is 0-4 ms away (HZ=250): an application
                    // that closes sooner sends its FIN with that ACK instead,
                    // a 3-segment close (seen once, re-recording
                    // syn-into-time-wait and tw-reuse-bind); the engine takes
                    // the tick as immediate.
                    // Profiles without quickack have no such engine.
                    FinAckPolicy::Delayed
                        if !self.tcb.data_received && self.cfg.profile.quickack_segments > 0 =>
                    {
                        self.tcb.pingpong = true;
                        self.send_ack();
                    }
                    FinAckPolicy::Delayed => {
                        // Linux `tcp_fin`: schedule an ACK and enter pingpong mode, so
                        // the ACK waits for the delayed-ACK timer.
                        self.tcb.pingpong = true;
                        if !self.timers.is_running(TimerKind::DelayedAck) {
                            self.arm(now, TimerKind::DelayedAck, self.cfg.profile.delayed_ack);
                        }
                    }
                }
            }
            TcpState::FinWait1 => {
                self.send_ack();
                if self.fin_acked() {
                    self.enter_time_wait(now);
                } else {
                    self.set_state(TcpState::Closing);
                }
            }
            TcpState::FinWait2 => {
                self.send_ack();
                self.enter_time_wait(now);
            }
            _ => self.send_ack(),
        }
    }

    // ----- sending -----

    /// A new connection on this socket: the next incarnation, its ISN, and a
    /// control block built fresh (RFC 9293 §3.3.2: OPEN "create a new
    /// transmission control block"), so nothing of the last one is carried
    /// over except what the caller copies across (`connect` over TIME_WAIT).
    fn begin_connection(&mut self) {
        self.conn += 1;
        // Not `isn_for`: the TCB still holds the last connection's ISS.
        let mut iss = self.planned_isn(self.conn);
        if let Some((tick_ns, first)) = &mut self.isn_clock {
            if self.conn == 1 {
                *first = self.now;
            } else {
                let ticks = self.now.saturating_since(*first).as_micros() * 1000 / *tick_ns;
                iss = self.planned_isn(1).wrapping_add(ticks as u32);
                self.note_isn(iss);
            }
        }
        // The old queue's buffer is kept, so a new connection allocates nothing.
        let queue = std::mem::take(&mut self.tcb.retransmit_queue);
        self.tcb = Tcb::new(&self.cfg.profile, Seq(iss), queue);
    }

    /// Sends what the application asked for before the handshake completed.
    fn flush_queued(&mut self, now: Instant) {
        if self.tcb.unsent > 0 {
            let bytes = std::mem::take(&mut self.tcb.unsent);
            self.send_data(now, bytes);
        }
        if self.tcb.fin_queued {
            self.tcb.fin_queued = false;
            self.send_fin(now);
            self.set_state(TcpState::FinWait1);
        }
    }

    fn send_data(&mut self, now: Instant, bytes: u32) {
        self.tcb.nagle_held += bytes;
        self.push_held(now);
    }

    /// Sends written data: full segments at once, a less-than-full one unless
    /// Nagle's algorithm holds it back until the ACK of earlier data.
    fn push_held(&mut self, now: Instant) {
        let mss = if self.tcb.ts_on {
            MSS - Timestamps::LEN
        } else {
            MSS
        };
        while self.tcb.nagle_held > 0 {
            let len = self.tcb.nagle_held.min(mss);
            if len < mss && self.nagle_holds() {
                return;
            }
            self.tcb.nagle_held -= len;
            // Linux `tcp_mark_push`: PSH on the last segment of a write.
            let flags = if self.tcb.nagle_held == 0 {
                Flags::PSH | Flags::ACK
            } else {
                Flags::ACK
            };
            self.send_new(now, flags, len);
            if len < mss {
                self.tcb.snd_sml = self.tcb.snd_nxt;
            }
        }
    }

    /// RFC 896 / RFC 1122 §4.2.3.4: may a less-than-full segment go now?
    fn nagle_holds(&self) -> bool {
        match self.cfg.profile.nagle {
            // BSD `tcp_output`: only when idle (nothing unacknowledged).
            Nagle::Classic => self.tcb.snd_una != self.tcb.snd_nxt,
            // Linux `tcp_minshall_check`: while an earlier small segment is unacked.
            Nagle::Minshall => self.tcb.snd_una.lt(self.tcb.snd_sml),
            Nagle::Off => false,
        }
    }

    /// Sends our FIN. Data still held back by Nagle goes with it, in one segment:
    /// Linux `tcp_send_fin` sets FIN on the unsent tail and pushes it with Nagle
    /// off; BSD `tcp_output` sends a pending FIN whatever Nagle says and sets it
    /// on the segment that carries the last data.
    fn send_fin(&mut self, now: Instant) {
        let len = std::mem::take(&mut self.tcb.nagle_held);
        self.tcb.fin_seq = Some(self.tcb.snd_nxt + len);
        let flags = if len > 0 {
            Flags::FIN | Flags::PSH | Flags::ACK
        } else {
            Flags::FIN | Flags::ACK
        };
        self.send_new(now, flags, len);
    }

    /// Sends new sequence space (SYN, data or FIN) and keeps it for retransmission.
    fn send_new(&mut self, now: Instant, flags: Flags, len: u32) {
        let entry = Unacked {
            seq: self.tcb.snd_nxt,
            len,
            flags,
        };
        self.tcb.snd_nxt += entry.seg_len();
        self.tcb.retransmit_queue.push(entry);
        if self.tcb.rtt_probe.is_none() {
            self.tcb.rtt_probe = Some((self.tcb.snd_nxt, now));
        }
        self.emit(flags, entry.seq, len, false);
        if flags.contains(Flags::SYN) {
            if !self.timers.is_running(TimerKind::Retransmission) {
                self.arm(
                    now,
                    TimerKind::Retransmission,
                    self.tcb.rtt.rto(&self.cfg.profile, self.synchronized()),
                );
            }
        } else {
            self.set_xmit_timer(now, false);
        }
    }

    /// Arms the timer that guards what is in flight: a tail loss probe where the
    /// profile has one and it applies, else the retransmission timer (Linux
    /// `tcp_set_xmit_timer`). `after_ack`: an ACK advanced SND.UNA, so the RTO
    /// restarts from now; otherwise a running RTO keeps its deadline.
    fn set_xmit_timer(&mut self, now: Instant, after_ack: bool) {
        if let Some(pto) = self.probe_timeout(now, after_ack) {
            self.stop(TimerKind::Retransmission);
            self.arm(now, TimerKind::LossProbe, pto);
        } else if after_ack || !self.timers.is_running(TimerKind::Retransmission) {
            self.stop(TimerKind::LossProbe);
            self.arm(
                now,
                TimerKind::Retransmission,
                self.tcb.rtt.rto(&self.cfg.profile, self.synchronized()),
            );
        }
    }

    /// Linux `tcp_schedule_loss_probe`: PTO = 2·SRTT, plus `rto_min` when a single
    /// segment is in flight (to allow for the peer's delayed ACK) or 2 ms
    /// (`TCP_TIMEOUT_MIN`) otherwise, but never later than the RTO would fire.
    /// Not before an RTT sample, and not in loss recovery (after an RTO).
    fn probe_timeout(&self, now: Instant, after_ack: bool) -> Option<Duration> {
        let p = &self.cfg.profile;
        if p.tail_loss_probe == TailLossProbe::Off || self.tcb.recovering || self.tcb.retries > 0 {
            return None;
        }
        let srtt = self.tcb.rtt.srtt()?;
        let tail = self.tcb.retransmit_queue.last()?;
        let one_in_flight = self.tcb.retransmit_queue.len() == 1;
        let extra = match p.tail_loss_probe {
            // xnu: new data only, in ESTABLISHED (`tcp_output.c:2966-2970`).
            TailLossProbe::Xnu
                if self.state != TcpState::Established
                    || tail.len == 0
                    || tail.flags.contains(Flags::FIN) =>
            {
                return None
            }
            TailLossProbe::Xnu if one_in_flight => p.delayed_ack,
            TailLossProbe::Linux if one_in_flight => p.rto_min,
            _ => Duration::from_millis(2),
        };
        let pto = srtt.saturating_mul(2) + extra;
        let rto_left = match self.timers.get(TimerKind::Retransmission) {
            Some(deadline) if !after_ack => deadline.saturating_since(now),
            _ => self.tcb.rtt.rto(&self.cfg.profile, self.synchronized()),
        };
        Some(pto.min(rto_left))
    }

    /// Linux `tcp_send_loss_probe`: send the last segment in flight again, once,
    /// then restart the retransmission timer from now without backing it off.
    fn on_loss_probe(&mut self, now: Instant) {
        let Some(tail) = self.tcb.retransmit_queue.last().copied() else {
            return;
        };
        self.retransmit(tail);
        self.arm(
            now,
            TimerKind::Retransmission,
            self.tcb.rtt.rto(&self.cfg.profile, self.synchronized()),
        );
    }

    fn retransmit(&mut self, u: Unacked) {
        self.emit(u.flags, u.seq, u.len, true);
    }

    /// A pure ACK, `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`. FreeBSD repeats its FIN
    /// on it while that FIN is unacknowledged.
    fn send_ack(&mut self) {
        let fin_unacked = self.tcb.fin_seq.filter(|f| self.tcb.snd_una.le(*f));
        if self.cfg.profile.fin_on_ack_while_fin_unacked
            && matches!(self.state, TcpState::FinWait1 | TcpState::Closing)
        {
            if let Some(f) = fin_unacked {
                self.emit(Flags::FIN | Flags::ACK, f, 0, true);
                return;
            }
        }
        self.emit(Flags::ACK, self.tcb.snd_nxt, 0, false);
    }

    /// Answers an unacceptable segment with an ACK; pure ACKs and SYNs are
    /// answered at most once per [`OOW_ACK_INTERVAL`] (Linux `tcp_oow_rate_limited`).
    /// Linux `tcp_send_dupack`: a segment with data or a FIN that starts
    /// below RCV.NXT is a duplicate, and with SACK on the duplicate ACK names
    /// it in a D-SACK block, up to RCV.NXT (`tcp_dsack_set`, RFC 2883 §4).
    fn note_duplicate(&mut self, seg: &Segment) {
        let start = seg.seq_number();
        if !self.cfg.profile.dsack || seg.seg_len() == 0 || !start.lt(self.tcb.rcv_nxt) {
            return;
        }
        let mut end = start + seg.seg_len();
        if self.tcb.rcv_nxt.lt(end) {
            end = self.tcb.rcv_nxt;
        }
        self.tcb.dsack = Some((start, end));
    }

    fn send_oow_ack(&mut self, now: Instant, seg: &Segment) {
        let limited = seg.len == 0 && !seg.flags.contains(Flags::FIN);
        if limited {
            if let Some(last) = self.tcb.last_oow_ack {
                if now.saturating_since(last) < OOW_ACK_INTERVAL {
                    return;
                }
            }
            self.tcb.last_oow_ack = Some(now);
        }
        self.send_ack();
    }

    /// RST+ACK from a live connection (Linux `tcp_send_active_reset`).
    fn send_reset_ack(&mut self) {
        self.emit(Flags::RST | Flags::ACK, self.tcb.snd_nxt, 0, false);
    }

    /// A segment of this connection: the ACK field and, when in use, the
    /// timestamp option (TSval: the clock in ms plus this host's offset, as
    /// Linux `tcp_skb_timestamp_ts` + `ts_offset`; TSecr: TS.Recent).
    fn emit(&mut self, flags: Flags, seq: Seq, len: u32, retransmission: bool) {
        let ack = if flags.contains(Flags::ACK) {
            self.tcb.rcv_nxt
        } else {
            Seq::ZERO
        };
        if flags.contains(Flags::ACK) {
            // Any segment carrying the ACK satisfies a pending delayed ACK.
            self.stop(TimerKind::DelayedAck);
            self.tcb.last_ack_sent = self.tcb.rcv_nxt;
        }
        let ts = self.tcb.ts_on.then(|| Timestamps {
            val: self
                .cfg
                .ts_offset
                .wrapping_add((self.now.as_micros() / 1000) as u32),
            ecr: self.tcb.ts_recent,
        });
        // The D-SACK rides on the next ACK, once (`tcp_options_write` clears
        // `rx_opt.dsack`).
        let dsack = if flags.contains(Flags::ACK) {
            self.tcb.dsack.take()
        } else {
            None
        };
        self.push(flags, seq, ack, len, retransmission, Options { ts, dsack });
    }

    /// A reset a host sends without a connection's state: no payload, no
    /// options (Linux `tcp_v4_send_reset` adds no timestamp).
    fn send_reset(&mut self, flags: Flags, seq: Seq, ack: Seq) {
        self.push(flags, seq, ack, 0, false, Options::NONE);
    }

    /// Puts a segment on the wire.
    fn push(
        &mut self,
        flags: Flags,
        seq: Seq,
        ack: Seq,
        len: u32,
        retransmission: bool,
        options: Options,
    ) {
        self.events.push(EndpointEvent::Transmit(Transmit {
            segment: Segment {
                flags,
                seq: seq.get(),
                ack: ack.get(),
                len,
                window: RCV_WND as u16,
                ts: options.ts,
                dsack: options.dsack.map(|(l, r)| (l.get(), r.get())),
            },
            retransmission,
        }));
    }

    // ----- acknowledgments and RTT (RFC 6298 or Linux: `rtt.rs`) -----

    fn on_new_ack(&mut self, now: Instant, ack: Seq) {
        self.tcb.snd_una = ack;
        self.tcb.retransmit_queue.retain_mut(|u| {
            let end = u.seq + u.seg_len();
            if end.le(ack) {
                return false;
            }
            if u.seq.lt(ack) {
                // Partly acknowledged data: keep the rest.
                let done = ack - u.seq;
                u.seq = ack;
                u.len -= done.min(u.len);
                u.flags = u.flags.without(Flags::SYN);
            }
            true
        });
        if let Some((end, sent)) = self.tcb.rtt_probe {
            if end.le(ack) {
                self.tcb.rtt_probe = None;
                self.rtt_sample(now.saturating_since(sent));
            }
        }
        self.tcb.retries = 0;
        self.tcb.waited = Duration::ZERO;
        self.tcb.rtt.reset_backoff();
        if self.tcb.retransmit_queue.is_empty() {
            self.tcb.recovering = false;
            self.stop(TimerKind::Retransmission);
            self.stop(TimerKind::LossProbe);
        } else {
            if self.tcb.recovering {
                // Go back: resend what the RTO left outstanding.
                self.tcb.recovering = false;
                for i in 0..self.tcb.retransmit_queue.len() {
                    let u = self.tcb.retransmit_queue[i];
                    self.retransmit(u);
                }
            }
            self.set_xmit_timer(now, true);
        }
        // Data Nagle held back may go now that earlier data is acknowledged.
        if matches!(self.state, TcpState::Established | TcpState::CloseWait) {
            self.push_held(now);
        }
    }

    /// An RTT sample, taken on an ACK that moved SND.UNA (Linux
    /// `tcp_ack_update_rtt`: the estimate, then `tcp_set_rto`). One segment is
    /// timed at a time (`rtt_probe`), where Linux times every ACK of data never
    /// retransmitted (`tcp_clean_rtx_queue`): the same samples in the captured cases.
    fn rtt_sample(&mut self, r: Duration) {
        let t = &mut self.tcb;
        t.rtt.sample(&self.cfg.profile, r, t.snd_una, t.snd_nxt);
    }

    // ----- state and timers -----

    fn enter_time_wait(&mut self, now: Instant) {
        self.tcb.time_wait_since = now;
        self.stop(TimerKind::Retransmission);
        self.stop(TimerKind::FinWait2);
        self.set_state(TcpState::TimeWait);
        self.arm_time_wait(now);
    }

    /// Arms (or restarts) the 2×MSL timer. Where the platform ends TIME_WAIT in
    /// batches (`Profile::time_wait_granularity`; illumos's reaper,
    /// `tcp_time_wait.c:217-219`), the deadline is rounded up to the batch's
    /// next run, counted from the scenario's t = 0.
    fn arm_time_wait(&mut self, now: Instant) {
        let mut after = self.cfg.profile.time_wait;
        if let Some(g) = self.cfg.profile.time_wait_granularity {
            let end = crate::profile::next_reaper_run((now + after).as_micros(), g);
            after = Duration::from_micros(end - now.as_micros());
        }
        self.arm(now, TimerKind::TimeWait, after);
    }

    fn arm_fin_wait_2(&mut self, now: Instant) {
        if let Some(t) = self.cfg.profile.fin_wait_2_timeout {
            self.arm(now, TimerKind::FinWait2, t);
        }
    }

    /// ESTABLISHED or a later state: the handshake is over (BSD
    /// `t_state >= TCPS_ESTABLISHED`, which xnu's RTO slop depends on).
    fn synchronized(&self) -> bool {
        !matches!(
            self.state,
            TcpState::Closed | TcpState::Listen | TcpState::SynSent | TcpState::SynReceived
        )
    }

    fn set_state(&mut self, to: TcpState) {
        let from = self.state;
        if from == to {
            return;
        }
        self.state = to;
        self.events.push(EndpointEvent::State { from, to });
        if from == TcpState::SynSent {
            // keepinit watches only the connect (`tcp_timer_keep`).
            self.stop(TimerKind::KeepInit);
        }
        if matches!(to, TcpState::Closed | TcpState::Listen) {
            for t in TimerKind::ALL {
                self.stop(t);
            }
            self.tcb.retransmit_queue.clear();
        }
    }

    fn arm(&mut self, now: Instant, timer: TimerKind, after: Duration) {
        let deadline = now + after;
        let action = self.timers.arm(timer, deadline);
        self.events.push(EndpointEvent::Timer {
            timer,
            action,
            deadline: Some(deadline),
        });
    }

    fn stop(&mut self, timer: TimerKind) {
        if self.timers.cancel(timer) {
            self.events.push(EndpointEvent::Timer {
                timer,
                action: TimerAction::Stopped,
                deadline: None,
            });
        }
    }

    /// The connection is being torn down: says in the trace what data goes with
    /// it (written but never sent, sent but never acknowledged, received but
    /// never read), so no byte vanishes without an event, and forgets it.
    fn discard_data(&mut self, why: &'static str) {
        let unsent =
            std::mem::take(&mut self.tcb.unsent) + std::mem::take(&mut self.tcb.nagle_held);
        let unacked: u32 = self.tcb.retransmit_queue.iter().map(|u| u.len).sum();
        self.tcb.retransmit_queue.clear();
        let unread = std::mem::take(&mut self.tcb.unread);
        for (call, bytes) in [
            (AppCall::UnsentDiscarded, unsent),
            (AppCall::UnackedDiscarded, unacked),
            (AppCall::UnreadDiscarded, unread),
        ] {
            if bytes > 0 {
                self.app(call, Some(bytes), Some(why));
            }
        }
    }

    fn app(&mut self, call: AppCall, bytes: Option<u32>, error: Option<&'static str>) {
        self.events.push(EndpointEvent::App { call, bytes, error });
    }
}
