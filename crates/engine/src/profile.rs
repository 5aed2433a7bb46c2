//! Platform profiles: the timer values and behaviours of real TCP stacks.
//!
//! Every number names its source. Where the commonly quoted table (Linux 30 s MSL,
//! BSD/macOS 30 s, Windows 120 s, Solaris 60 s) and the source disagree, the profile
//! models the source and its notes (`Platform::notes`) say so; the playground shows them.

use crate::time::Duration;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The platforms Farewell models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Linux,
    Freebsd,
    Macos,
    Windows,
    Solaris,
    Rfc793,
}

impl Platform {
    pub const ALL: [Platform; 6] = [
        Platform::Linux,
        Platform::Freebsd,
        Platform::Macos,
        Platform::Windows,
        Platform::Solaris,
        Platform::Rfc793,
    ];

    /// The scenario file's spelling (`linux`, `freebsd`, …).
    pub const fn id(self) -> &'static str {
        match self {
            Platform::Linux => "linux",
            Platform::Freebsd => "freebsd",
            Platform::Macos => "macos",
            Platform::Windows => "windows",
            Platform::Solaris => "solaris",
            Platform::Rfc793 => "rfc793",
        }
    }

    pub fn from_id(id: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.id() == id)
    }

    pub fn profile(self) -> Profile {
        match self {
            Platform::Linux => LINUX,
            Platform::Freebsd => FREEBSD,
            Platform::Macos => MACOS,
            Platform::Windows => WINDOWS,
            Platform::Solaris => SOLARIS,
            Platform::Rfc793 => RFC793,
        }
    }

    /// What the playground shows about this platform's numbers and their
    /// sources (the profile's doc comment cites them). A function rather than
    /// a `Profile` field, so a module that runs profiles without showing them
    /// (the lab, the capture view) does not carry the text.
    /// Where the profile's numbers come from: which were checked against a
    /// real kernel, which are read from its source or documentation only, and
    /// which are unconfirmed (issue 12 item 5; the citations are in each
    /// profile's doc comment and `crates/engine/PLATFORM_SOURCES.md`).
    pub fn provenance(self) -> &'static str {
        match self {
            Platform::Linux => "Checked against a real kernel: 16 close cases and 8 reconnections were held, segment by segment and state by state, to captures of Linux 6.18 (one-way delays of 1, 5, 20 and 100 ms, timestamps on and off). SACK is modelled only as the D-SACK block of a duplicate ACK.",
            Platform::Freebsd => "From source only (FreeBSD's sys/netinet, file and line in the profile's notes); not checked against a FreeBSD kernel. Unconfirmed: Nagle and the ISN step.",
            Platform::Macos => "From source only (xnu's bsd/netinet); not checked against a macOS kernel. Unconfirmed: the ISN step.",
            Platform::Windows => "From Microsoft's documentation only (TcpTimedWaitDelay, TcpMaxDataRetransmissions, netsh); not checked against a Windows kernel. Unconfirmed: the numbers by release, FIN_WAIT_2, a SYN into TIME_WAIT, a connect() over one's own TIME_WAIT, the ISN step.",
            Platform::Solaris => "From source only (illumos-gate's inet/tcp); not checked against an illumos kernel. Unconfirmed: a connect() over one's own TIME_WAIT, the ISN step. TIME_WAIT ends at its reaper's next 5 s run (60–65 s), the clock's phase taken as the scenario's start.",
            Platform::Rfc793 => "From the RFCs as written (RFC 9293, 6298, 1122); no kernel runs exactly this.",
        }
    }

    pub fn notes(self) -> &'static str {
        match self {
            Platform::Linux => "Linux has no MSL setting: TIME_WAIT is hard-coded at 60 s (TCP_TIMEWAIT_LEN in include/net/tcp.h); the \"30 s MSL\" in tables is 60 s / 2. An orphaned FIN_WAIT_2 dies after tcp_fin_timeout (60 s). The FIN is ACKed by the delayed-ACK timer (40 ms), so a peer that closes at once sends a 3-segment close. tcp_rfc1337 defaults to 0: a RST kills TIME_WAIT. A lost last segment is first resent by a tail loss probe (about 2 RTT + 200 ms, RFC 8985), which does not back off the RTO; small writes wait for the ACK of an earlier small segment (Nagle, Minshall's rule).",
            Platform::Freebsd => "TIME_WAIT is 2×MSL with net.inet.tcp.msl = 30 s (TCPTV_MSL in sys/netinet/tcp_timer.h). A FIN is ACKed at once, so the close is always four segments; other ACKs wait at most 40 ms (TCPTV_DELACK). An orphaned FIN_WAIT_2 is dropped after about 675 s: tcp_maxidle (600 s), then one more 75 s keepalive interval; 60 s with net.inet.tcp.fast_finwait2_recycle. A RST in TIME_WAIT is ignored (RFC 1337).",
            Platform::Macos => "Tables say 30 s MSL for BSD/macOS, but macOS ships net.inet.tcp.msl = 15 s (xnu bsd/netinet/tcp_timer.h), so TIME_WAIT lasts 2×15 = 30 s. A FIN is ACKed at once (always a 4-segment close). A RST in TIME_WAIT is ignored (RFC 1337).",
            Platform::Windows => "Windows uses MSL = 120 s and TIME_WAIT = TcpTimedWaitDelay, 240 s by default on the classic documentation (0xF0); some Server releases document 120 s. Tables quoting \"Windows 120 s\" mean the MSL. Retransmission gives up after TcpMaxDataRetransmissions = 5. No orphaned FIN_WAIT_2 timer is documented, so none is modelled.",
            Platform::Solaris => "Solaris has no MSL tunable: TIME_WAIT is tcp_time_wait_interval, 60 s on illumos and Solaris 10+ (it was 4 minutes on Solaris 8). The MSL shown is 60 s / 2. A FIN is ACKed at once, so the close is always four segments; other ACKs wait 50 ms to a peer on the same subnet (tcp_local_dack_interval). The first retransmission comes after 1.125 s; the minimum RTO is 400 ms (tcp_rexmit_interval_min). An orphaned FIN_WAIT_2 is flushed after tcp_fin_wait_2_flush_interval, 60 s.",
            Platform::Rfc793 => "The specification: MSL is 2 minutes, so TIME_WAIT lasts 2×MSL = 4 minutes (RFC 9293 §3.4.2, MUST-13 in §3.6.1). RTO starts at 1 s with a 1 s floor (RFC 6298). FIN_WAIT_2 has no timer in the RFC. A RST in TIME_WAIT is accepted; RFC 1337 explains why that is a hazard.",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How a stack answers the peer's FIN (the one behaviour that decides between a
/// 3-segment and a 4-segment close).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinAckPolicy {
    /// ACK the FIN at once (BSD `tcp_input`: `TF_ACKNOW` on FIN), so the close is
    /// always four segments.
    Immediate,
    /// Delay the ACK like any other (Linux `tcp_fin` enters pingpong mode and the
    /// ACK waits for the delayed-ACK timer), so an application that closes at once
    /// sends its FIN with that ACK: the 3-segment close.
    Delayed,
}

/// Timer values and behaviours of one platform. Built from [`Platform::profile`],
/// then adjusted by a scenario's `msl_ms` and `tunables`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    pub platform: Platform,
    /// Human name, e.g. "Linux 6.x".
    pub label: &'static str,
    /// Maximum Segment Lifetime as the platform defines it (or as tables quote it).
    pub msl: Duration,
    /// Time spent in TIME_WAIT. Usually 2×MSL; Linux hard-codes it.
    pub time_wait: Duration,
    /// The period of the reaper that ends TIME_WAIT, where the kernel ends it in
    /// batches rather than at its own deadline. illumos's reaper runs every
    /// `TCP_TIME_WAIT_DELAY` = 5 s (`tcp_impl.h:147`): the expiry
    /// (`tcp_time_wait.c:200`) is rounded up to the reaper's next run
    /// (`:217-219`), so TIME_WAIT lasts 60–65 s. The engine puts a run at the
    /// scenario's t = 0. `None`: TIME_WAIT ends at its own deadline.
    pub time_wait_granularity: Option<Duration>,
    /// Initial retransmission timeout, before any RTT sample (RFC 6298 §2.1).
    pub rto_initial: Duration,
    /// Floor of the retransmission timeout.
    pub rto_min: Duration,
    /// Ceiling of the backed-off retransmission timeout.
    pub rto_max: Duration,
    /// Added to every RTO after the backoff multiply, then clamped to
    /// `rto_min..=rto_max`: the BSDs' `tcp_rexmit_slop`, 200 ms, "cpu variance
    /// allowed" (FreeBSD `tcp_timer.h` `TCPTV_CPU_VAR`, `TCPT_RANGESET`; xnu
    /// `TCPTV_REXMTSLOP`). Zero elsewhere.
    pub rto_slop: Duration,
    /// The slop only once the connection is synchronized (xnu
    /// `TCP_ADD_REXMTSLOP`: `t_state >= TCPS_ESTABLISHED`); FreeBSD adds it
    /// to SYN retransmissions too.
    pub rto_slop_from_established: bool,
    /// Delayed-ACK timeout.
    pub delayed_ack: Duration,
    /// How long an orphaned socket (the application called close()) may sit in
    /// FIN_WAIT_2 before it is destroyed silently. `None`: no such timer.
    pub fin_wait_2_timeout: Option<Duration>,
    /// Retransmissions of data or FIN before giving up on a live socket.
    pub max_retries: u32,
    /// Retransmissions before giving up once the application has closed the socket.
    pub orphan_retries: u32,
    /// SYN retransmissions before `connect` fails.
    pub syn_retries: u32,
    /// A connect not ESTABLISHED this long after connect() fails, whatever
    /// the SYN retransmissions (the BSDs' `tcp_keepinit`, 75 s:
    /// [`TimerKind::KeepInit`](crate::endpoint::TimerKind::KeepInit)).
    pub keepinit: Option<Duration>,
    /// SYN retransmissions back off by this table, indexed by the
    /// retransmission count (the last entry repeats), instead of doubling:
    /// xnu's `tcp_syn_backoff` (`tcp_timer.c:883-884`).
    pub syn_backoff: Option<&'static [u32]>,
    /// Give up by time instead of by count: when the backed-off intervals
    /// armed since the last new ACK add up to more than this (illumos
    /// `tcp_ms_we_have_waited` against `tcp_second_ctimer_threshold` /
    /// `tcp_second_timer_threshold`, `tcp_timers.c:719-721`, `:928`, `:1045`).
    pub give_up_after: Option<GiveUpAfter>,
    /// RFC 1337 protection: ignore a RST that arrives in TIME_WAIT.
    pub rfc1337: bool,
    pub fin_ack: FinAckPolicy,
    /// Data segments ACKed at once at the start of a connection (Linux quickack
    /// mode, `tcp_incr_quickack`); 0 for stacks without it.
    pub quickack_segments: u32,
    /// How RTT samples become SRTT and the RTO.
    pub estimator: Estimator,
    /// FreeBSD's `tcp_output` sets FIN again on the ACK it sends from FIN_WAIT_1 /
    /// CLOSING while its own FIN is unacknowledged.
    pub fin_on_ack_while_fin_unacked: bool,
    /// How small writes are held back while earlier data is unacknowledged
    /// (RFC 896; RFC 1122 §4.2.3.4).
    pub nagle: Nagle,
    /// Tail loss probe (RFC 8985 §7): the first retransmission of the last
    /// segment in flight is a probe after about 2·SRTT that does not back off the
    /// RTO, by the platform's rule.
    pub tail_loss_probe: TailLossProbe,
    /// TCP timestamps (RFC 7323) offered on the SYN and used when both sides
    /// offer them: TSval/TSecr on every segment, 12 bytes less payload, PAWS.
    pub timestamps: bool,
    /// The default ephemeral port range, inclusive: Linux
    /// `ip_local_port_range` 32768–60999 (ip-sysctl.rst); FreeBSD 10000–65535
    /// (`IPPORT_EPHEMERALFIRST`/`LAST`, netinet/in.h); macOS and Windows
    /// 49152–65535 (the IANA dynamic range: xnu `ipport_firstauto`, Microsoft
    /// KB 929851); illumos 32768–65535 (`tcp_smallest_anon_port`,
    /// `tcp_largest_anon_port`). RFC 793 names none; Linux's is used.
    pub ephemeral_ports: (u16, u16),
    /// ISN clock step (RFC 9293 §3.4.1's M): a later connection on the same
    /// 4-tuple starts this many ns per sequence number after the first.
    pub isn_tick_ns: u64,
    /// What a TIME_WAIT socket does with a SYN for its 4-tuple.
    pub syn_in_time_wait: SynInTimeWait,
    /// Whether connect() may take over this host's own TIME_WAIT 4-tuple.
    pub time_wait_reuse: TimeWaitReuse,
    /// SACK (RFC 2018) with D-SACK (RFC 2883): the duplicate ACK for a
    /// segment below RCV.NXT names its bytes (Linux `tcp_sack` 1, `tcp_dsack`
    /// 1: `tcp_send_dupack`). Only that block is modelled.
    pub dsack: bool,
}

/// illumos's give-up thresholds (`tcp_tunables.c:282-284`, `:291-293`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GiveUpAfter {
    /// A SYN (SYN_SENT, SYN_RCVD): `tcp_ip_abort_cinterval`, 3 minutes.
    pub connect: Duration,
    /// Data or FIN: `tcp_ip_abort_interval`, 5 minutes.
    pub data: Duration,
}

/// Whether, and when, a tail loss probe is armed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TailLossProbe {
    Off,
    /// Linux `tcp_schedule_loss_probe` / `tcp_send_loss_probe`: any segment
    /// (a FIN too) once there is an RTT sample, outside loss recovery; PTO =
    /// 2·SRTT plus `rto_min` with one segment in flight, else 2 ms.
    Linux,
    /// xnu `tcp_output.c:2966-2970` (`tcp_enable_tlp` 1, `:289`): only for new
    /// data, in ESTABLISHED, with SACK on (assumed between two of its hosts),
    /// not in recovery and before any retransmission; PTO = 2·SRTT plus
    /// `tcp_delack` (100 ms) with one segment in flight, else 2 ms (`:2981`),
    /// at most the RTO.
    Xnu,
}

/// Nagle's algorithm (RFC 896), as each stack words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nagle {
    /// Hold a less-than-full segment while any data is unacknowledged (BSD
    /// `tcp_output`: send only when idle, RFC 1122 §4.2.3.4).
    Classic,
    /// Minshall's variant (Linux `tcp_nagle_check` / `tcp_minshall_check`): hold
    /// it only while an earlier *small* segment is unacknowledged.
    Minshall,
    /// Never hold (`TCP_NODELAY`). Used by the capture reader, which replays
    /// the segments a capture shows and so must send each one when it is seen.
    Off,
}

/// A SYN reaching a TIME_WAIT socket (RFC 1122 §4.2.2.13: a TCP "MAY accept a
/// new SYN from the remote TCP to reopen the connection directly" if its ISN is
/// larger; RFC 6191 adds the timestamp rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SynInTimeWait {
    /// RFC 9293 §3.10.7.4 as written: a SYN in a synchronized state gets an
    /// ACK (RFC 5961 §4), here for the old connection.
    Ack,
    /// BSD `tcp_twcheck` (FreeBSD sys/netinet/tcp_timewait.c): a SYN without
    /// ACK whose sequence number is above RCV.NXT closes the TIME_WAIT and is
    /// handed to the listener, which picks its ISN as for any connection.
    /// Timestamps are not looked at.
    NewerSeq,
    /// Linux `tcp_timewait_state_process` (net/ipv4/tcp_minisocks.c,
    /// TCP_TW_SYN; RFC 6191): a SYN without ACK that passes PAWS and has a
    /// newer TSval, or (no timestamps) a sequence number above RCV.NXT, goes to
    /// the listener, which answers with ISN = the old SND.NXT + 65535 + 2
    /// (`tcp_tw_isn`).
    Linux,
    /// xnu `tcp_input.c:4496-4513` (the 4.4BSD rule): only a SYN wholly beyond
    /// the receive window (SEG.SEQ >= RCV.NXT + RCV.WND) closes the TIME_WAIT
    /// and is looked up again (`tcp_new_isn`, `goto findpcb`); one inside the
    /// window takes the normal path, here the TIME_WAIT's ACK.
    BeyondWindow,
    /// illumos `tcp_time_wait.c`: PAWS first (`:620-634`), then a SYN beyond
    /// the window (`:636-637`, `:680`: `gap > 0 && rgap < 0`) reopens
    /// (`tcp_clean_death`, `tcp_reinput`); one inside it gets a RST|ACK (seq
    /// SEG.ACK, ack SEG.SEQ + 1) and the TIME_WAIT stays (`:802-804`, "RFC
    /// 1122, 4.2.2.13").
    IllumosBeyondWindow,
}

/// connect() from a host whose socket on the same 4-tuple is in TIME_WAIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeWaitReuse {
    /// The 4-tuple is in use until TIME_WAIT ends: connect() fails with this
    /// errno (BSD `in_pcbconnect_setup`, FreeBSD sys/netinet/in_pcb.c:
    /// EADDRINUSE for a 4-tuple already in the table).
    Refused(&'static str),
    /// Linux `tcp_twsk_unique` (net/ipv4/tcp_ipv4.c), called from
    /// `__inet_check_established` (net/ipv4/inet_hashtables.c): the TIME_WAIT
    /// socket is taken over if timestamps were seen on it and either the port
    /// was bound before connect() (`twp` is NULL: no sysctl, no delay) or
    /// connect() chose it and `tcp_tw_reuse` allows it (1; 2 = loopback only,
    /// which the engine's 10.0.0.x hosts are not) `tcp_tw_reuse_delay` after
    /// TIME_WAIT began. The new write_seq is the old SND.NXT + 65535 + 2 and
    /// TS.Recent carries over. Otherwise EADDRNOTAVAIL.
    Linux {
        /// `net.ipv4.tcp_tw_reuse`: 0, 1 or 2 (the default).
        tw_reuse: u32,
        /// `net.ipv4.tcp_tw_reuse_delay`: 1000 ms by default.
        delay: Duration,
    },
}

/// How a stack turns RTT samples into SRTT and the retransmission timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estimator {
    /// RFC 6298 §2: SRTT and RTTVAR updated on every sample, RTO =
    /// max(rto_min, SRTT + 4·RTTVAR).
    Rfc6298,
    /// Linux `tcp_rtt_estimator` and `tcp_set_rto` (net/ipv4/tcp_input.c): RTO =
    /// SRTT + rttvar, where rttvar follows the largest deviation of each round
    /// trip, is lowered at most once per round trip and never below rto_min.
    /// With the handshake's sample alone the RTO is 3·RTT (at least RTT +
    /// rto_min), and stays there a round trip longer than RFC 6298's.
    Linux,
    /// illumos `tcp_set_rto` (`tcp_input.c:5215-5302`; PLATFORM_SOURCES.md,
    /// rto_min): the BSD gains on every sample, the deviation term floored at
    /// `TCP_SD_MIN` (400 ms) and kept so, and RTO = SRTT + that term + SRTT/4.
    /// The first sample `m` gives SRTT = m and a term of 2·m ("the
    /// reinitialized RTO is 3 * m"), so at least 1.25·m + 400 ms.
    Illumos,
}

/// Linux 6.x. Sources: `include/net/tcp.h` (`TCP_TIMEWAIT_LEN` 60 s, `TCP_FIN_TIMEOUT`,
/// `TCP_RTO_MIN` 200 ms, `TCP_TIMEOUT_INIT` 1 s, `TCP_RTO_MAX` 120 s, `TCP_DELACK_MIN`
/// 40 ms, `TCP_RETR2` 15, `TCP_SYN_RETRIES` 6), `net/ipv4/tcp_timer.c`
/// (`tcp_orphan_retries`: 0 means 8), `net/ipv4/tcp_input.c` (`tcp_fin`, quickack,
/// `tcp_rtt_estimator` and `tcp_set_rto`: see [`Estimator::Linux`]),
/// `Documentation/networking/ip-sysctl.rst` (`tcp_fin_timeout` 60 s, `tcp_rfc1337` 0,
/// `tcp_early_retrans` 3: tail loss probes on), `net/ipv4/tcp_output.c`
/// (`tcp_schedule_loss_probe`, `tcp_send_loss_probe`, `tcp_nagle_check`,
/// `tcp_minshall_check`, `tcp_send_fin`), `tcp_timestamps` 1 (ip-sysctl.rst; the
/// per-pair offset is `secure_tcp_ts_off`, net/core/secure_seq.c; the ISN
/// `secure_tcp_seq` adds `ktime_get_real_ns() >> 6`, a 64 ns step),
/// `net/ipv4/tcp_minisocks.c` (`tcp_timewait_state_process`: a SYN into
/// TIME_WAIT), `net/ipv4/tcp_ipv4.c` (`tcp_twsk_unique`: `tcp_tw_reuse` 2,
/// `tcp_tw_reuse_delay` 1000 ms, ip-sysctl.rst). Checked
/// against captures of Linux 6.18 in `tests/captures` (the `-ts` cases with
/// timestamps on, the others with `tcp_timestamps=0`; the reconnection cases,
/// `syn-into-time-wait*`, `tw-reuse*` and `old-duplicate-paws`, with the ISNs
/// and the errno above).
pub const LINUX: Profile = Profile {
    platform: Platform::Linux,
    label: "Linux 6.x",
    msl: Duration::from_secs(30),
    time_wait: Duration::from_secs(60),
    time_wait_granularity: None,
    rto_initial: Duration::from_secs(1),
    rto_min: Duration::from_millis(200),
    rto_max: Duration::from_secs(120),
    rto_slop: Duration::ZERO,
    rto_slop_from_established: false,
    delayed_ack: Duration::from_millis(40),
    fin_wait_2_timeout: Some(Duration::from_secs(60)),
    max_retries: 15,
    orphan_retries: 8,
    syn_retries: 6,
    keepinit: None,
    syn_backoff: None,
    give_up_after: None,
    rfc1337: false,
    fin_ack: FinAckPolicy::Delayed,
    quickack_segments: 16,
    nagle: Nagle::Minshall,
    tail_loss_probe: TailLossProbe::Linux,
    timestamps: true,
    ephemeral_ports: (32768, 60999),
    isn_tick_ns: 64,
    syn_in_time_wait: SynInTimeWait::Linux,
    time_wait_reuse: TimeWaitReuse::Linux {
        tw_reuse: 2,
        delay: Duration::from_secs(1),
    },
    estimator: Estimator::Linux,
    dsack: true,
    fin_on_ack_while_fin_unacked: false,
};

/// FreeBSD 14. Sources (file:line in FreeBSD 13.0's kernel as vendored by
/// F-Stack/f-stack@5cb586b5, `freebsd/netinet/`, unless noted; every citation,
/// with the quoted lines, in `crates/engine/PLATFORM_SOURCES.md`):
/// `tcp_timer.h:77` `TCPTV_MSL` 30 s (TIME_WAIT 2·msl, `tcp_timewait.c:668`),
/// `:80` `TCPTV_RTOBASE` 1 s, `:114` `TCPTV_REXMTMAX` 64 s, `:120`
/// `TCP_MAXRXTSHIFT` 12, `:122` `TCPTV_DELACK` hz/25 = **40 ms** (100 ms was
/// FreeBSD 10's); an orphaned FIN_WAIT_2 (`tcp_input.c:2965-2970`) waits
/// `TP_MAXIDLE` = 8 × 75 s = 600 s, then `tcp_timer.c:370-372` re-arms it 75 s
/// once more while idle ≤ 600 s: closed at **675 s**; FIN sets `TF_ACKNOW`
/// (`tcp_input.c:3224-3227`); `tcp_subr.c:254` `tcp_do_rfc1323` 1 (timestamps
/// on); a RST in TIME_WAIT dropped (`tcp_timewait.c:414-415`); a SYN above
/// RCV.NXT reopens (`tcp_timewait.c:440`); EADDRINUSE for a 4-tuple in use
/// (`in_pcb.c:1568-1573`); the RTO is max(30 ms, SRTT + 4·RTTVAR)·backoff
/// **+ 200 ms slop** in every state (`tcp_timer.h:112-114`, `:139-145`
/// `TCPT_RANGESET`, `tcp_subr.c:1188-1193`; `rto_slop`); a connect gives up at
/// keepinit, 75 s (`tcp_usrreq.c:622`, `tcp_timer.c:454-455`; `keepinit`),
/// before `TCP_MAXRXTSHIFT` (12) retransmissions could. Not checked: Nagle,
/// the ISN step (RFC 9293's 4 µs).
/// `net.inet.tcp.nolocaltimewait` (default on in current FreeBSD, off in 13.0)
/// covers only connections to the host's own address: never two hosts.
/// Nothing here was checked against a FreeBSD kernel.
pub const FREEBSD: Profile = Profile {
    platform: Platform::Freebsd,
    label: "FreeBSD 14",
    msl: Duration::from_secs(30),
    time_wait: Duration::from_secs(60),
    time_wait_granularity: None,
    rto_initial: Duration::from_secs(1),
    rto_min: Duration::from_millis(30),
    rto_max: Duration::from_secs(64),
    rto_slop: Duration::from_millis(200),
    rto_slop_from_established: false,
    delayed_ack: Duration::from_millis(40),
    fin_wait_2_timeout: Some(Duration::from_secs(675)),
    max_retries: 12,
    orphan_retries: 12,
    // TCP_MAXRXTSHIFT (`tcp_timer.h:120`); keepinit ends the connect first.
    syn_retries: 12,
    keepinit: Some(Duration::from_secs(75)),
    syn_backoff: None,
    give_up_after: None,
    rfc1337: true,
    fin_ack: FinAckPolicy::Immediate,
    quickack_segments: 0,
    nagle: Nagle::Classic,
    tail_loss_probe: TailLossProbe::Off,
    timestamps: true,
    ephemeral_ports: (10000, 65535),
    isn_tick_ns: 4_000,
    syn_in_time_wait: SynInTimeWait::NewerSeq,
    time_wait_reuse: TimeWaitReuse::Refused("EADDRINUSE"),
    estimator: Estimator::Rfc6298,
    dsack: false,
    fin_on_ack_while_fin_unacked: true,
};

/// macOS (xnu). Sources: xnu `bsd/netinet/tcp_timer.h` (`TCPTV_MSL` 15 s,
/// `TCPTV_DELACK` 100 ms, `TCPTV_REXMTMAX` 64 s), `net.inet.tcp.fin_timeout` 60 s,
/// `net.inet.tcp.msl` sysctl reading 15000 on current releases, xnu
/// `bsd/netinet/tcp_subr.c:206` (`tcp_do_timestamps` 1: timestamps on); the
/// RTO is max(30 ms, SRTT + 4·RTTVAR)·backoff + 200 ms slop from ESTABLISHED
/// on, none before (`tcp_timer.h:190`, `:289-295` `TCP_ADD_REXMTSLOP`,
/// `tcp_timer.c:1277`, `tcp_input.c:6989`; xnu-11417.101.15,
/// apple-oss-distributions/xnu@e3723e1f); a connect deadline of 75 s
/// (keepinit, `tcp_usrreq.c:1596`; `keepinit`) with SYNs backed off by
/// `tcp_syn_backoff` (`tcp_timer.c:883-884`, `:1263`; `syn_backoff`); the tail
/// loss probe (`tcp_enable_tlp` 1, `tcp_output.c:289`, `:2966-2981`: data
/// only, in ESTABLISHED, SACK assumed on; [`TailLossProbe::Xnu`]); a SYN into
/// TIME_WAIT accepted only beyond the receive window (`tcp_input.c:4496-4513`;
/// [`SynInTimeWait::BeyondWindow`]). A connect() over one's own TIME_WAIT is
/// EADDRINUSE (`tcp_usrreq.c:1528-1538`). ISN step unconfirmed. Nothing here
/// was checked against a macOS kernel.
pub const MACOS: Profile = Profile {
    platform: Platform::Macos,
    label: "macOS",
    msl: Duration::from_secs(15),
    time_wait: Duration::from_secs(30),
    time_wait_granularity: None,
    rto_initial: Duration::from_secs(1),
    rto_min: Duration::from_millis(30),
    rto_max: Duration::from_secs(64),
    rto_slop: Duration::from_millis(200),
    rto_slop_from_established: true,
    delayed_ack: Duration::from_millis(100),
    fin_wait_2_timeout: Some(Duration::from_secs(60)),
    max_retries: 12,
    orphan_retries: 12,
    // TCP_MAXRXTSHIFT; keepinit ends the connect first.
    syn_retries: 12,
    keepinit: Some(Duration::from_secs(75)),
    syn_backoff: Some(&[1, 1, 1, 1, 1, 2, 4, 8, 16, 32, 64, 64, 64]),
    give_up_after: None,
    rfc1337: true,
    fin_ack: FinAckPolicy::Immediate,
    quickack_segments: 0,
    nagle: Nagle::Classic,
    tail_loss_probe: TailLossProbe::Xnu,
    timestamps: true,
    ephemeral_ports: (49152, 65535),
    isn_tick_ns: 4_000,
    syn_in_time_wait: SynInTimeWait::BeyondWindow,
    time_wait_reuse: TimeWaitReuse::Refused("EADDRINUSE"),
    estimator: Estimator::Rfc6298,
    dsack: false,
    fin_on_ack_while_fin_unacked: true,
};

/// Windows. Sources: Microsoft TechNet / Learn "TcpTimedWaitDelay" (default 0xF0 =
/// 240 s; MSL 120 s), "TcpMaxDataRetransmissions" (5), delayed ACK 200 ms
/// ("TcpAckFrequency" article), RTO initial 3 s on older and 1 s on newer releases,
/// MinRto 300 ms (`netsh int tcp show global`, which also shows "RFC 1323
/// Timestamps: disabled", the default of current releases; `Tcp1323Opts`).
/// A SYN into TIME_WAIT (accepted above RCV.NXT), a connect() over one
/// (WSAEADDRINUSE) and the ISN step: unconfirmed.
pub const WINDOWS: Profile = Profile {
    platform: Platform::Windows,
    label: "Windows",
    msl: Duration::from_secs(120),
    time_wait: Duration::from_secs(240),
    time_wait_granularity: None,
    rto_initial: Duration::from_secs(1),
    rto_min: Duration::from_millis(300),
    rto_max: Duration::from_secs(60),
    rto_slop: Duration::ZERO,
    rto_slop_from_established: false,
    delayed_ack: Duration::from_millis(200),
    fin_wait_2_timeout: None,
    max_retries: 5,
    orphan_retries: 5,
    syn_retries: 2,
    keepinit: None,
    syn_backoff: None,
    give_up_after: None,
    rfc1337: false,
    fin_ack: FinAckPolicy::Delayed,
    quickack_segments: 0,
    nagle: Nagle::Classic,
    tail_loss_probe: TailLossProbe::Off,
    timestamps: false,
    ephemeral_ports: (49152, 65535),
    isn_tick_ns: 4_000,
    syn_in_time_wait: SynInTimeWait::NewerSeq,
    time_wait_reuse: TimeWaitReuse::Refused("WSAEADDRINUSE"),
    estimator: Estimator::Rfc6298,
    dsack: false,
    fin_on_ack_while_fin_unacked: false,
};

/// Solaris / illumos. Sources (file:line in illumos-gate as of 2018, the
/// Tegile-Dev/illumos-gate fork @a8793c76, `usr/src/uts/common/inet/tcp/`;
/// quotes in `crates/engine/PLATFORM_SOURCES.md`): `tcp_tunables.c:250-252`
/// `_time_wait_interval` 60 s (its expiry rounded up to the reaper's next 5 s
/// run, `tcp_time_wait.c:217-219`: `time_wait_granularity`), `:338-340` `_rexmit_interval_max`
/// 60 s, `:342-344` `_rexmit_interval_min` 400 ms, `:391-393`
/// `_fin_wait_2_flush_interval` 60 s; the first RTO is **1.125 s**, not the
/// tunable's 1 s (`tcp.c:2407-2412`: sa/8 + sd + sa/32 from the initial
/// interval); the delayed ACK is `_local_dack_interval` **50 ms** to an
/// on-link peer (`tcp_tunables.c:459-461`, `tcp_input.c:4936-4938`; the
/// engine's hosts share a subnet), 100 ms otherwise; a FIN is **ACKed at
/// once** (`tcp_input.c:4551-4553`, `TH_ACK_NEEDED`: a 4-segment close);
/// timestamps on with window scaling, which is always on (`tcp_tunables.c:408-418`);
/// the RTO from illumos's own estimator ([`Estimator::Illumos`]: 1.25·SRTT +
/// max(4·RTTVAR, 400 ms), `tcp_input.c:5215-5302`);
/// an in-window RST kills TIME_WAIT (`tcp_time_wait.c:798-800`); it gives up
/// by time, not by count (`give_up_after`): when the backed-off intervals
/// armed since the last new ACK exceed `_ip_abort_cinterval` (3 min, a SYN)
/// or `_ip_abort_interval` (5 min) (`tcp_tunables.c:282-284`, `:291-293`,
/// `tcp_timers.c:719-721`, `:928`, `:1045`); a SYN into TIME_WAIT accepted
/// only beyond the receive window after a PAWS check, one inside it answered
/// by RST|ACK (`tcp_time_wait.c:620-680`, `:802-804`;
/// [`SynInTimeWait::IllumosBeyondWindow`]; the new ISS is the listener's
/// usual, not the forced one of `:681-741`). A connect() over one's own TIME_WAIT and the
/// ISN step: unconfirmed. Nothing here was checked against an illumos kernel.
pub const SOLARIS: Profile = Profile {
    platform: Platform::Solaris,
    label: "Solaris / illumos",
    msl: Duration::from_secs(30),
    time_wait: Duration::from_secs(60),
    time_wait_granularity: Some(Duration::from_secs(5)),
    rto_initial: Duration::from_millis(1125),
    rto_min: Duration::from_millis(400),
    rto_max: Duration::from_secs(60),
    rto_slop: Duration::ZERO,
    rto_slop_from_established: false,
    delayed_ack: Duration::from_millis(50),
    fin_wait_2_timeout: Some(Duration::from_secs(60)),
    // No count: illumos gives up by time only (`give_up_after`).
    max_retries: u32::MAX,
    orphan_retries: u32::MAX,
    syn_retries: u32::MAX,
    keepinit: None,
    syn_backoff: None,
    give_up_after: Some(GiveUpAfter {
        connect: Duration::from_secs(180),
        data: Duration::from_secs(300),
    }),
    rfc1337: false,
    fin_ack: FinAckPolicy::Immediate,
    quickack_segments: 0,
    nagle: Nagle::Classic,
    tail_loss_probe: TailLossProbe::Off,
    timestamps: true,
    ephemeral_ports: (32768, 65535),
    isn_tick_ns: 4_000,
    syn_in_time_wait: SynInTimeWait::IllumosBeyondWindow,
    time_wait_reuse: TimeWaitReuse::Refused("EADDRINUSE"),
    estimator: Estimator::Illumos,
    dsack: false,
    fin_on_ack_while_fin_unacked: false,
};

/// RFC 793 / RFC 9293 as written (line numbers in the RFC's text, quoted in
/// `crates/engine/PLATFORM_SOURCES.md`). Sources: 8 SYN retransmissions (at 1 s
/// doubling to 60 s, given up at 183 s) for MUST-23's "at least 3 minutes"
/// (§3.8.3, rfc9293.txt:2024-2027); RFC 9293 §3.4.2 (MSL 2 minutes,
/// TIME_WAIT 2×MSL), RFC 6298 §2 (initial RTO 1 s, minimum 1 s, maximum ≥ 60 s),
/// RFC 9293 §3.8.6.3 (MUST-40: delayed ACK under 0.5 s), RFC 1122 §4.2.3.5 (R2 ≥ 100 s);
/// no timestamps (RFC 7323 is an extension); a SYN into TIME_WAIT gets an ACK
/// (§3.10.7.4; §3.6.1 only says a TCP MAY reopen), a connect() over one
/// "error: connection already exists" (§3.10.1), the ISN clock 4 µs (§3.4.1).
pub const RFC793: Profile = Profile {
    platform: Platform::Rfc793,
    label: "RFC 793 / 9293",
    msl: Duration::from_secs(120),
    time_wait: Duration::from_secs(240),
    time_wait_granularity: None,
    rto_initial: Duration::from_secs(1),
    rto_min: Duration::from_secs(1),
    rto_max: Duration::from_secs(60),
    rto_slop: Duration::ZERO,
    rto_slop_from_established: false,
    delayed_ack: Duration::from_millis(200),
    fin_wait_2_timeout: None,
    max_retries: 8,
    orphan_retries: 8,
    syn_retries: 8,
    keepinit: None,
    syn_backoff: None,
    give_up_after: None,
    rfc1337: false,
    fin_ack: FinAckPolicy::Immediate,
    quickack_segments: 0,
    nagle: Nagle::Classic,
    tail_loss_probe: TailLossProbe::Off,
    timestamps: false,
    ephemeral_ports: (32768, 60999),
    isn_tick_ns: 4_000,
    syn_in_time_wait: SynInTimeWait::Ack,
    time_wait_reuse: TimeWaitReuse::Refused("connection already exists"),
    estimator: Estimator::Rfc6298,
    dsack: false,
    fin_on_ack_while_fin_unacked: false,
};

/// Single-value overrides from a scenario's `tunables` object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tunables {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msl_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_wait_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fin_timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_initial_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_min_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_max_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delayed_ack_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphan_retries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rfc1337: Option<bool>,
    /// Offer TCP timestamps (RFC 7323) on the SYN (Linux `net.ipv4.tcp_timestamps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<bool>,
    /// Linux `net.ipv4.tcp_tw_reuse` (0, 1, 2): see [`TimeWaitReuse::Linux`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tw_reuse: Option<u32>,
    /// Linux `net.ipv4.tcp_tw_reuse_delay`, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tw_reuse_delay_ms: Option<f64>,
}

/// The first run, at or after `due_us` (µs from t = 0), of a TIME_WAIT reaper
/// that runs every `period` from t = 0: when a TIME_WAIT whose 2MSL timer is due
/// then really ends (illumos, `Profile::time_wait_granularity`,
/// `tcp_time_wait.c:217-219`).
pub fn next_reaper_run(due_us: u64, period: Duration) -> u64 {
    let g = period.as_micros().max(1);
    due_us.div_ceil(g) * g
}

impl Profile {
    /// Applies a scenario's MSL override and tunables. An MSL override without an
    /// explicit `time_wait_ms` sets TIME_WAIT to 2×MSL (the "what if" the user asked
    /// for), even on Linux whose TIME_WAIT is otherwise fixed.
    pub fn with_overrides(mut self, msl_ms: Option<f64>, t: &Tunables) -> Profile {
        if let Some(msl) = t.msl_ms.or(msl_ms) {
            self.msl = Duration::from_ms(msl);
            self.time_wait = self.msl.saturating_mul(2);
        }
        if let Some(v) = t.time_wait_ms {
            self.time_wait = Duration::from_ms(v);
        }
        if let Some(v) = t.fin_timeout_ms {
            self.fin_wait_2_timeout = Some(Duration::from_ms(v));
        }
        if let Some(v) = t.rto_initial_ms {
            self.rto_initial = Duration::from_ms(v);
        }
        if let Some(v) = t.rto_min_ms {
            self.rto_min = Duration::from_ms(v);
        }
        if let Some(v) = t.rto_max_ms {
            self.rto_max = Duration::from_ms(v);
        }
        if let Some(v) = t.delayed_ack_ms {
            self.delayed_ack = Duration::from_ms(v);
        }
        if let Some(v) = t.max_retries {
            self.max_retries = v;
        }
        if let Some(v) = t.orphan_retries {
            self.orphan_retries = v;
        }
        if let Some(v) = t.rfc1337 {
            self.rfc1337 = v;
        }
        if let Some(v) = t.timestamps {
            self.timestamps = v;
        }
        if let TimeWaitReuse::Linux { tw_reuse, delay } = &mut self.time_wait_reuse {
            *tw_reuse = t.tw_reuse.unwrap_or(*tw_reuse);
            if let Some(v) = t.tw_reuse_delay_ms {
                *delay = Duration::from_ms(v);
            }
        }
        self
    }
}
