//! Does the engine's `linux` profile close a connection the way a real Linux
//! kernel does? Each case under `tests/captures/<case>/` holds a recording made
//! by `tests/captures/record.sh` (kernel 6.18, two network namespaces, 20 ms one
//! way, or the delay a case's name ends with: `lost-fin-100ms` is `lost-fin` at
//! 100 ms; `lost-fin-ts` is `lost-fin` with TCP timestamps on, and
//! `lost-fin-ts-100ms` both. Every base case is recorded with timestamps on at
//! 1, 5, 20 and 100 ms: the matrix, `MATRIX_BASES`, whose scenarios
//! `matrix.py` writes. See the script for the set-up):
//!
//! * `scenario.json`: the scenario the engine runs, complete (for a built-in, a
//!   copy of the built-in of the same name; close-after-send, data-after-close
//!   and the `-ts` cases are extra cases), with `time_limit_ms` = the
//!   recording's length. The recording's applications (`app.py`) read their calls, and
//!   `relay.py` its duplicate rules, from this same file.
//! * `capture-a.txt`, `capture-b.txt`: raw `tcpdump -tt -S -n -l` on A's and on
//!   B's interface.
//! * `recording.json`: T0 (the instant `at_ms` counts from, in tcpdump's clock),
//!   the one-way delay, the nft drop rules with their counters, and `ss -tano`
//!   on both hosts when the recording stopped.
//! * `states.txt`: each host's TCP state (ss names) whenever it changed, polled
//!   every 1 ms from /proc/net/tcp by `states.py`.
//! * `apps.txt`: what the applications saw (for people; not compared, but a
//!   WARNING there, an action the machine held off, refuses the recording).
//!
//! How the capture is turned into a trace to compare:
//! * Each interface sees its own host's segments when they are sent and the
//!   peer's when they arrive, one delay later. Every segment is therefore taken
//!   from its *sender's* capture, which gives its send time: the engine's `t_ms`
//!   is a send time too. The other capture is used to check the wire: the same
//!   segment must arrive `delay_ms` later (±`WIRE_SLACK_MS`), so a recording
//!   spoiled by a late relay is caught rather than blamed on the engine.
//! * Times are milliseconds after T0. Scenarios with `"handshake": false` start
//!   ESTABLISHED, so the recording connects before T0: the handshake is in the
//!   capture, giving each side's ISN, but is not compared. With
//!   `"handshake": true` (handshake-and-close) A connects at T0 and the
//!   handshake is compared like any other segment.
//! * Old duplicates (`duplicates` rules, made by `relay.py`) are extra copies the
//!   receiver sees but the sender never sent; they are compared with the
//!   engine's duplicate segments at their arrival time.
//! * Sequence numbers are made relative as in the trace: each side's ISN comes
//!   from its SYN (SYN = 0, first data byte = 1), or, with no SYN, from its first
//!   segment (taken to carry byte 1). A later SYN from the same side (a new
//!   connection on the 4-tuple) starts its numbering again, and the peer's
//!   ACKs count from it once they acknowledge it; until then (the old
//!   connection's ACK from a TIME_WAIT) they count from the old one. tcpdump prints no `seq` for a segment
//!   with no data, SYN, FIN or RST; such a pure ACK carries the sender's
//!   SND.NXT (RFC 9293 §3.10.7.4 "send an ACK": <SEQ=SND.NXT>), which is taken as
//!   the highest sequence number the sender has used so far.
//! * Segments are paired per sender (A's n-th with the engine's n-th from A), so
//!   two segments sent at the same instant may be listed in either order.
//!   Compared per segment: direction, flags (PSH ignored: it carries no state),
//!   seq, ack, length, and the send time within max(15 %, 10 ms) of the
//!   engine's. With timestamps on (the `-ts` cases; `tunables.timestamps` in
//!   scenario.json decides, and recording.json's sysctl must agree): the option
//!   on every segment, TSval as ms since the sender's first TSval (within the
//!   same tolerance, and in the capture within 2 ms of the send time: the
//!   kernel's clock is in ms), and which of the peer's segments TSecr echoes
//!   (the first that carried that TSval), exactly. Those cases record the
//!   handshake, so every echoed TSval is in the capture. A D-SACK block
//!   (`sack 1 {X:Y}`) is compared as where it lies behind the ACK field. Also: the number of segments the nft rules dropped equals the
//!   number the engine's drop rules dropped, and each host's state when the
//!   recording stopped (from `ss`) equals the engine's at the time limit.
//! * States: each host's state at T0 and its sequence of state changes equal
//!   the engine's (RFC names mapped to ss names; LISTEN counts as no socket on
//!   the 4-tuple), each change within the same time tolerance. An engine state
//!   or recorded state held for under `BRIEF_MS` may be missing on the other
//!   side (see there why).
//!
//! Cases where the engine still differs from the kernel are listed in
//! `KNOWN_DIFFERENCES`, with the first segment that differs: the test checks that
//! they still differ there, so fixing the engine turns it red with a note to move
//! the case to `MATCHING`.

use farewell_engine::trace::{EventKind, Fate, SegmentEvent};
use farewell_engine::{simulate, Host, Scenario, TcpState};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod support;
use support::states::{recorded_states, ss_name, state_differences, States};

/// Cases where the engine's trace matches the capture, besides the matrix
/// (`MATRIX_BASES`, whose cases all match unless `KNOWN_DIFFERENCES` lists one).
const MATCHING: &[&str] = &[
    "lost-fin-1ms",
    "lost-fin-5ms",
    "lost-fin-100ms",
    "lost-data-1ms",
    "lost-data-5ms",
    "lost-data-100ms",
    "syn-into-time-wait",
    "syn-into-time-wait-no-ts",
    "tw-reuse-bind",
    "tw-reuse-bind-no-ts",
    "tw-reuse-0",
    "tw-reuse",
    "tw-reuse-2",
    "old-duplicate-paws",
];

/// The delay × timestamps matrix (`matrix.py` writes its scenarios): each base
/// case, recorded by hand at 20 ms with timestamps off (under its own name), is
/// also recorded with the kernel's default sysctls (timestamps on) at each of
/// `MATRIX_DELAYS_MS`, as [`matrix_case`] names it. Each of the five matches
/// unless it is listed in `KNOWN_DIFFERENCES`.
const MATRIX_BASES: &[&str] = &[
    "normal-close",
    "three-segment-close",
    "simultaneous-close",
    "half-close",
    "lost-fin",
    "lost-final-ack",
    "fin-lost-twice",
    "abort-rst",
    "unread-data-rst",
    "handshake-and-close",
    "rst-in-time-wait",
    "rst-in-time-wait-rfc1337",
    "fin-wait-2-timeout",
    "close-after-send",
    "data-after-close",
    "lost-data",
];

/// One-way delays of the matrix, in ms.
const MATRIX_DELAYS_MS: &[u32] = &[1, 5, 20, 100];

/// `lost-fin` at 100 ms with timestamps is `lost-fin-ts-100ms`; at 20 ms,
/// `lost-fin-ts`.
fn matrix_case(base: &str, delay_ms: u32) -> String {
    if delay_ms == 20 {
        format!("{base}-ts")
    } else {
        format!("{base}-ts-{delay_ms}ms")
    }
}

/// The base case itself, then its matrix cases.
fn matrix_recordings(base: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(base.to_string())
        .chain(MATRIX_DELAYS_MS.iter().map(move |&d| matrix_case(base, d)))
}

fn matrix_cases() -> impl Iterator<Item = String> {
    MATRIX_BASES.iter().flat_map(|b| matrix_recordings(b))
}

/// A case the engine does not reproduce yet.
struct KnownDifference {
    case: &'static str,
    /// The first segment (in time) that differs: the `n`th (0-based) sent by `host`.
    first_differing_segment: SegRef,
    reason: &'static str,
}

/// None at present: `old-duplicate-paws` was here until the engine sent
/// Linux's D-SACK block on PAWS's duplicate ACK.
const KNOWN_DIFFERENCES: &[KnownDifference] = &[];

/// How far a segment's measured one-way trip may be from `delay_ms`.
const WIRE_SLACK_MS: f64 = 3.0;

/// Timing tolerance: 15 % of the engine's time, at least 10 ms.
fn tolerance_ms(engine_t: f64) -> f64 {
    (0.15 * engine_t).max(10.0)
}

#[derive(Deserialize)]
struct Recording {
    sysctl: Vec<String>,
    t0_epoch: f64,
    delay_ms: f64,
    duration_ms: f64,
    kernel: String,
    nft_a: Vec<String>,
    nft_b: Vec<String>,
    ss_at_end_a: Vec<String>,
    ss_at_end_b: Vec<String>,
}

/// One line of `tcpdump -tt -S -n`, numbers still absolute.
#[derive(Clone, Debug)]
struct Dumped {
    epoch: f64,
    from: Host,
    flags: String,
    /// `seq X` or `seq X:Y` (start only); absent for a pure ACK.
    seq: Option<u32>,
    ack: Option<u32>,
    len: u32,
    /// `TS val X ecr Y`, when the segment carries the timestamp option.
    ts: Option<(u32, u32)>,
    /// A single SACK block `sack 1 {X:Y}` (absolute), the D-SACK a duplicate
    /// ACK carries (RFC 2883).
    sack: Option<(u32, u32)>,
    /// The line after the timestamp: identical in both captures for one packet.
    body: String,
}

/// What a segment's TSecr echoes, in a form both sides can be compared in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Echo {
    /// 0: a SYN, which has nothing to echo yet.
    Zero,
    /// The TSval that the peer's `n`th segment (0-based) carried, the latest
    /// one sent before that did: two segments sent in the same millisecond
    /// carry the same TSval, and TS.Recent follows the later one.
    Of(usize),
    /// A TSval the peer never sent.
    Unknown(u32),
}

/// The timestamp option of a segment, made comparable.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ts {
    /// TSval minus the sender's first TSval: ms on the sender's clock.
    val_ms: u32,
    echo: Echo,
    /// The option as sent (absolute).
    raw: (u32, u32),
}

/// A segment in the form both sides are compared in.
#[derive(Clone, Debug, PartialEq)]
struct Seg {
    t_ms: f64,
    from: Host,
    /// tcpdump letters without `P`.
    flags: String,
    seq: u32,
    ack: Option<u32>,
    len: u32,
    ts: Option<Ts>,
    /// A D-SACK block, as (its start minus the ACK field, its length): where
    /// the duplicate lies behind what is acknowledged.
    dsack: Option<(i32, u32)>,
}

impl Seg {
    fn show(&self) -> String {
        let mut s = format!(
            "{:8.1} {}>{} [{}] seq {}",
            self.t_ms,
            self.from,
            self.from.peer(),
            self.flags,
            self.seq
        );
        if let Some(a) = self.ack {
            let _ = write!(s, " ack {a}");
        }
        let _ = write!(s, " len {}", self.len);
        if let Some((off, len)) = self.dsack {
            let _ = write!(s, " dsack {off}+{len}");
        }
        if let Some(ts) = self.ts {
            let _ = write!(s, " TS +{}", ts.val_ms);
            match ts.echo {
                Echo::Zero => s.push_str(" ecr 0"),
                Echo::Of(n) => {
                    let _ = write!(s, " ecr {}#{n}", self.from.peer());
                }
                Echo::Unknown(v) => {
                    let _ = write!(s, " ecr ?{v}");
                }
            }
        }
        s
    }
}

/// Fills in `ts` from the raw options of segments in send order (both hosts):
/// TSval relative to each sender's first, TSecr as the peer segment echoed.
fn relate_timestamps(segs: &mut [Seg]) {
    let mut first: [Option<u32>; 2] = [None, None];
    // Per host: the TSvals it sent, in order.
    let mut sent: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
    for s in segs.iter_mut() {
        let i = s.from.index();
        let Some(ts) = s.ts.as_mut() else {
            sent[i].push(u32::MAX);
            continue;
        };
        let (val, ecr) = ts.raw;
        ts.val_ms = val.wrapping_sub(*first[i].get_or_insert(val));
        ts.echo = if ecr == 0 {
            Echo::Zero
        } else {
            sent[1 - i]
                .iter()
                .rposition(|v| *v == ecr)
                .map_or(Echo::Unknown(ecr), Echo::Of)
        };
        sent[i].push(val);
    }
}

/// A raw option, not yet related to the other segments.
fn raw_ts(raw: Option<(u32, u32)>) -> Option<Ts> {
    raw.map(|raw| Ts {
        val_ms: 0,
        echo: Echo::Zero,
        raw,
    })
}

/// `tests/captures`, or `$FAREWELL_CAPTURES_DIR`: to check a fresh recording
/// (record.sh run in a copy of the directory) before replacing the fixtures.
fn captures_dir() -> PathBuf {
    std::env::var_os("FAREWELL_CAPTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `10.0.0.1.40000` (tcpdump's address.port) → the host with that address.
fn host_of(addr: &str) -> Result<Host, String> {
    Host::BOTH
        .into_iter()
        .find(|h| {
            let [a, b, c, d] = h.ipv4();
            addr == format!("{a}.{b}.{c}.{d}.{}", h.port())
        })
        .ok_or_else(|| format!("address {addr} is neither A nor B"))
}

fn parse_line(line: &str) -> Result<Dumped, String> {
    let (ts, body) = line.split_once(' ').ok_or("no timestamp")?;
    let epoch: f64 = ts.parse().map_err(|_| format!("bad timestamp {ts:?}"))?;
    let rest = body.strip_prefix("IP ").ok_or("not an IPv4 line")?;
    let (src, rest) = rest.split_once(" > ").ok_or("no `src > dst`")?;
    let (dst, rest) = rest.split_once(": ").ok_or("no `dst:`")?;
    let from = host_of(src)?;
    if host_of(dst)? != from.peer() {
        return Err(format!("{src} > {dst} is not between A and B"));
    }
    let rest = rest.strip_prefix("Flags [").ok_or("no `Flags [`")?;
    let (flags, rest) = rest.split_once(']').ok_or("no `]` after flags")?;
    // The fields are ", "-separated; options [..] contain commas but no field
    // names we look for, and the payload summary after `length N:` is ignored.
    let (mut seq, mut ack, mut len) = (None, None, None);
    for field in rest.split(", ") {
        let field = field.trim_start_matches(',').trim();
        let num = |s: &str| {
            s.parse::<u32>()
                .map_err(|_| format!("bad number {s:?} in {line:?}"))
        };
        if let Some(v) = field.strip_prefix("seq ") {
            seq = Some(num(v.split(':').next().unwrap_or(v))?);
        } else if let Some(v) = field.strip_prefix("ack ") {
            ack = Some(num(v)?);
        } else if let Some(v) = field.strip_prefix("length ") {
            len = Some(num(v.split(':').next().unwrap_or(v))?);
        }
    }
    // `options [...,TS val X ecr Y,...]`: the option list has commas of its own.
    let ts = match rest.split_once("TS val ") {
        Some((_, after)) => {
            let mut words = after.split([' ', ',', ']']);
            let val = words.next().unwrap_or_default();
            let ecr = match (words.next(), words.next()) {
                (Some("ecr"), Some(e)) => e,
                _ => return Err(format!("no `ecr` after `TS val` in {line:?}")),
            };
            let num = |s: &str| {
                s.parse::<u32>()
                    .map_err(|_| format!("bad timestamp {s:?} in {line:?}"))
            };
            Some((num(val)?, num(ecr)?))
        }
        None => None,
    };
    // `sack 1 {X:Y}`: one block; more are not expected in these cases.
    let sack = match rest.split_once("sack 1 {") {
        Some((_, after)) => {
            let block = after.split('}').next().unwrap_or_default();
            let (a, b) = block
                .split_once(':')
                .ok_or_else(|| format!("bad SACK block in {line:?}"))?;
            let num = |s: &str| {
                s.parse::<u32>()
                    .map_err(|_| format!("bad SACK edge {s:?} in {line:?}"))
            };
            Some((num(a)?, num(b)?))
        }
        None => None,
    };
    Ok(Dumped {
        epoch,
        sack,
        from,
        flags: flags.to_string(),
        seq,
        ack,
        len: len.ok_or("no `length`")?,
        ts,
        body: body.to_string(),
    })
}

fn parse_capture(path: &Path) -> Vec<Dumped> {
    read(path)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            parse_line(l).unwrap_or_else(|e| panic!("{}:{}: {e}: {l}", path.display(), i + 1))
        })
        .collect()
}

/// Sequence space a segment uses: SYN and FIN take one number each (RFC 9293 §3.4).
fn seg_space(d: &Dumped) -> u32 {
    d.len + u32::from(d.flags.contains('S')) + u32::from(d.flags.contains('F'))
}

/// What the captures show: each host's segments from its own capture (send
/// times), and the extra copies the peer received that were never sent (the
/// relay's old duplicates, at their arrival times).
struct Observed {
    sent: Vec<Seg>,
    duplicates: Vec<Seg>,
}

/// Each host's segments from its own capture, checked against the peer's
/// capture, merged in send order, made relative, from T0 on.
fn observed(dir: &Path, rec: &Recording) -> Observed {
    // app.py warns when the machine held an application off (an action more
    // than 5 ms late): the kernel then ran another scenario than the engine.
    if let Some(w) = read(&dir.join("apps.txt"))
        .lines()
        .find(|l| l.contains("WARNING"))
    {
        panic!("{}: {}: re-record this case", dir.display(), w.trim());
    }
    let cap = [
        parse_capture(&dir.join("capture-a.txt")),
        parse_capture(&dir.join("capture-b.txt")),
    ];
    let mut sent: Vec<Dumped> = Vec::new();
    // (sender, body, arrival) of copies the receiver saw but the sender never sent.
    let mut extra: Vec<(Host, String, f64)> = Vec::new();
    for h in Host::BOTH {
        let own: Vec<&Dumped> = cap[h.index()].iter().filter(|d| d.from == h).collect();
        let mut seen: Vec<Option<&Dumped>> = cap[h.peer().index()]
            .iter()
            .filter(|d| d.from == h)
            .map(Some)
            .collect();
        // Each sent packet is the first identical, not yet matched packet the peer
        // saw after it was sent; what is left over was made by the wire.
        for s in &own {
            let r = seen
                .iter_mut()
                .find(|r| r.is_some_and(|r| r.body == s.body && r.epoch >= s.epoch))
                .and_then(Option::take)
                .unwrap_or_else(|| {
                    panic!(
                        "{}: {h} sent `{}` but {} never saw it: the wire lost a packet",
                        dir.display(),
                        s.body,
                        h.peer()
                    )
                });
            let trip = (r.epoch - s.epoch) * 1000.0;
            // Only segments that are compared must have had the scenario's delay
            // (a slow SYN-ACK before T0 does not matter when the handshake is not compared).
            let compared = s.epoch >= rec.t0_epoch;
            assert!(
                !compared || (trip - rec.delay_ms).abs() <= WIRE_SLACK_MS,
                "{}: `{}` took {trip:.2} ms one way, not {} ms: re-record this case",
                dir.display(),
                s.body,
                rec.delay_ms
            );
        }
        extra.extend(
            seen.into_iter()
                .flatten()
                .map(|r| (h, r.body.clone(), r.epoch)),
        );
        sent.extend(own.into_iter().cloned());
    }
    sent.sort_by(|x, y| x.epoch.total_cmp(&y.epoch));

    // Each host's ISN: from its first segment with a sequence number (for a
    // connection set up before T0), then from each SYN it sends: a new
    // connection on the same 4-tuple starts its own numbering, as in the trace.
    let mut isn: [Option<u32>; 2] = [None, None];
    for d in &sent {
        let i = d.from.index();
        if isn[i].is_none() {
            if let Some(s) = d.seq {
                isn[i] = Some(if d.flags.contains('S') {
                    s
                } else {
                    s.wrapping_sub(1)
                });
            }
        }
    }
    // The peer ISN each host's ACKs count from: the peer's first, until the
    // host acknowledges a newer SYN of the peer's (its SYN-ACK, or the ACK of
    // a SYN-ACK); a TIME_WAIT's ACK of the old connection still counts from
    // the old one, as the trace's `peer_conn` does.
    let mut latest_syn: [Option<u32>; 2] = isn;
    let mut ack_base: [Option<u32>; 2] = [isn[1], isn[0]];
    let mut snd_nxt: [Option<u32>; 2] = [None, None];
    let mut all = Vec::new();
    for d in &sent {
        let i = d.from.index();
        if d.flags.contains('S') {
            let s = d.seq.expect("a SYN has a sequence number");
            if latest_syn[i] != Some(s) || snd_nxt[i].is_none() {
                latest_syn[i] = Some(s);
                isn[i] = Some(s);
                snd_nxt[i] = None;
            }
        }
        if let (Some(a), Some(peer_syn)) = (d.ack, latest_syn[1 - i]) {
            if a == peer_syn.wrapping_add(1) {
                ack_base[i] = Some(peer_syn);
            }
        }
        let my_isn = isn[i].unwrap_or_else(|| {
            panic!(
                "{}: {} never sent a segment with a sequence number",
                dir.display(),
                d.from
            )
        });
        let seq = match d.seq {
            Some(s) => s.wrapping_sub(my_isn),
            None => snd_nxt[i].unwrap_or_else(|| {
                panic!("{}: pure ACK before any sequence number", dir.display())
            }),
        };
        let end = seq.wrapping_add(seg_space(d));
        snd_nxt[i] = Some(snd_nxt[i].map_or(end, |n| n.max(end)));
        let ack =
            d.ack.map(|a| {
                a.wrapping_sub(ack_base[i].unwrap_or_else(|| {
                    panic!("{}: ACK before the peer's ISN is known", dir.display())
                }))
            });
        all.push(Seg {
            t_ms: (d.epoch - rec.t0_epoch) * 1000.0,
            from: d.from,
            flags: d.flags.replace('P', ""),
            seq,
            ack,
            len: d.len,
            ts: raw_ts(d.ts),
            dsack: d
                .sack
                .zip(d.ack)
                .map(|((a, b), ack)| (a.wrapping_sub(ack) as i32, b.wrapping_sub(a))),
        });
    }
    relate_timestamps(&mut all);
    // The kernel's timestamp clock counts milliseconds (`tcp_clock_ms`): a
    // recording whose TSvals do not follow the send times is not Linux's.
    for h in Host::BOTH {
        let mine: Vec<&Seg> = all.iter().filter(|s| s.from == h).collect();
        for s in &mine {
            if let (Some(ts), Some(t0)) = (s.ts, mine[0].ts.map(|_| mine[0].t_ms)) {
                let clock = f64::from(ts.val_ms);
                assert!(
                    (clock - (s.t_ms - t0)).abs() <= 2.0,
                    "{}: {h}'s TSval +{clock} ms at {:.1} ms does not follow its send times",
                    dir.display(),
                    s.t_ms - t0
                );
            }
        }
    }
    // A copy is byte for byte the last identical packet sent before it arrived.
    let duplicates = extra
        .iter()
        .map(|(h, body, arrival)| {
            let original = sent
                .iter()
                .rposition(|d| d.from == *h && d.body == *body && d.epoch <= *arrival)
                .expect("an extra copy matches a sent packet by construction");
            Seg {
                t_ms: (arrival - rec.t0_epoch) * 1000.0,
                ..all[original].clone()
            }
        })
        .collect();
    // The handshake before T0 (scenarios that start ESTABLISHED) is not compared.
    let sent = all.into_iter().filter(|s| s.t_ms >= 0.0).collect();
    Observed { sent, duplicates }
}

struct EngineRun {
    segs: Vec<Seg>,
    duplicates: Vec<Seg>,
    /// Per host: the state at t = 0, then each change (time, new state), as ss
    /// names them.
    states: [States; 2],
    dropped: usize,
    end: [TcpState; 2],
}

fn engine(scenario: &Scenario) -> EngineRun {
    let trace = simulate(scenario);
    let seg = |t_ms: f64, s: &SegmentEvent| Seg {
        t_ms,
        from: s.from,
        flags: s.flags.tcpdump().replace('P', ""),
        seq: s.seq,
        ack: s.ack,
        len: s.len,
        ts: raw_ts(s.tsval.zip(s.tsecr)),
        dsack: s
            .dsack
            .zip(s.ack)
            .map(|([l, r], ack)| (l.wrapping_sub(ack) as i32, r.wrapping_sub(l))),
    };
    let mut segs: Vec<Seg> = trace
        .segments()
        .filter(|(_, s)| !s.duplicate)
        .map(|(t, s)| seg(t, s))
        .collect();
    relate_timestamps(&mut segs);
    // An old duplicate is compared where the capture sees it: at its arrival,
    // with the timestamps related as the original's were.
    let duplicates = trace
        .segments()
        .filter(|(_, s)| s.duplicate)
        .map(|(t, s)| {
            let mut d = seg(s.arrive_ms.unwrap_or(t), s);
            if let Some(original) = segs.iter().rev().find(|o| {
                o.from == d.from
                    && o.seq == d.seq
                    && o.len == d.len
                    && o.t_ms <= d.t_ms
                    && o.ts.map(|x| x.raw) == d.ts.map(|x| x.raw)
            }) {
                d.ts = original.ts;
            }
            d
        })
        .collect();
    let dropped = trace
        .segments()
        .filter(|(_, s)| s.fate == Fate::Dropped)
        .count();
    let end = trace
        .events
        .iter()
        .rev()
        .find_map(|e| match e.kind {
            EventKind::End { a, b, .. } => Some([a, b]),
            _ => None,
        })
        .expect("a trace ends with an End event");
    let mut states: [States; 2] = Default::default();
    for e in &trace.events {
        match e.kind {
            EventKind::Start { a, b, .. } => {
                states[0].0 = ss_name(a);
                states[1].0 = ss_name(b);
            }
            EventKind::State { host, to, .. } => {
                let (first, changes) = &mut states[host.index()];
                let to = ss_name(to);
                // LISTEN and CLOSED both show as no socket on this 4-tuple.
                if changes.last().map_or(&*first, |(_, s)| s) != &to {
                    changes.push((e.t_ms, to));
                }
            }
            _ => {}
        }
    }
    EngineRun {
        segs,
        duplicates,
        states,
        dropped,
        end,
    }
}

fn show_states(st: &States) -> String {
    let mut s = st.0.clone();
    for (t, state) in &st.1 {
        let _ = write!(s, " -> {state} @{t:.1}");
    }
    s
}

/// What differs between two segments (empty: they match).
fn segment_differences(real: &Seg, sim: &Seg) -> Vec<String> {
    let mut d = Vec::new();
    if real.from != sim.from {
        d.push(format!("sender {} vs engine {}", real.from, sim.from));
    }
    if real.flags != sim.flags {
        d.push(format!("flags [{}] vs engine [{}]", real.flags, sim.flags));
    }
    if real.seq != sim.seq {
        d.push(format!("seq {} vs engine {}", real.seq, sim.seq));
    }
    if real.ack != sim.ack {
        d.push(format!("ack {:?} vs engine {:?}", real.ack, sim.ack));
    }
    if real.len != sim.len {
        d.push(format!("len {} vs engine {}", real.len, sim.len));
    }
    if real.dsack != sim.dsack {
        d.push(format!("D-SACK {:?} vs engine {:?}", real.dsack, sim.dsack));
    }
    match (real.ts, sim.ts) {
        (Some(r), Some(e)) => {
            let tol = tolerance_ms(f64::from(e.val_ms));
            if (f64::from(r.val_ms) - f64::from(e.val_ms)).abs() > tol {
                d.push(format!(
                    "TSval +{} ms vs engine +{} ms (tolerance ±{tol:.1} ms)",
                    r.val_ms, e.val_ms
                ));
            }
            if r.echo != e.echo {
                d.push(format!("TSecr echoes {:?} vs engine {:?}", r.echo, e.echo));
            }
        }
        (None, None) => {}
        (r, e) => d.push(format!(
            "timestamp option {} vs engine {}",
            if r.is_some() { "present" } else { "absent" },
            if e.is_some() { "present" } else { "absent" }
        )),
    }
    let tol = tolerance_ms(sim.t_ms);
    if (real.t_ms - sim.t_ms).abs() > tol {
        d.push(format!(
            "at {:.1} ms vs engine {:.1} ms (tolerance ±{tol:.1} ms)",
            real.t_ms, sim.t_ms
        ));
    }
    d
}

/// `ss -tano state all` lines → the state of the socket on this connection,
/// or CLOSED when there is none.
fn ss_state(lines: &[String], me: Host) -> Result<String, String> {
    let local = me.socket_addr();
    let peer = me.peer().socket_addr();
    let mut found = Vec::new();
    for l in lines.iter().skip(1) {
        let cols: Vec<&str> = l.split_whitespace().collect();
        if cols.len() >= 5 && cols[3] == local && cols[4] == peer {
            found.push(cols[0].to_string());
        }
    }
    match found.as_slice() {
        [] => Ok("CLOSED".into()),
        [one] => Ok(one.clone()),
        more => Err(format!(
            "{} sockets for {local} → {peer}: {more:?}",
            more.len()
        )),
    }
}

fn dropped_by_nft(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.trim_end().ends_with(" drop"))
        .map(|l| {
            let after = l
                .split("counter packets ")
                .nth(1)
                .unwrap_or_else(|| panic!("drop rule without a counter: {l}"));
            after
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("bad counter in {l}"))
        })
        .sum()
}

/// A segment's place in the comparison: the `n`th (0-based) segment sent by `host`.
/// Segments are paired per sender, not in global order: when both hosts send at
/// the same moment (simultaneous close) which one the capture lists first is a
/// race, and the timing check already covers how the two sides interleave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SegRef {
    host: Host,
    n: usize,
}

/// The comparison report for one case: every difference, and both sequences
/// side by side.
struct Comparison {
    /// (segment, or None for whole-case facts; what differs), in time order.
    differences: Vec<(Option<SegRef>, String)>,
    table: String,
}

impl Comparison {
    fn first_differing_segment(&self) -> Option<SegRef> {
        self.differences.iter().find_map(|(r, _)| *r)
    }
    fn report(&self) -> String {
        let mut s = String::new();
        for (r, d) in &self.differences {
            match r {
                Some(r) => {
                    let _ = writeln!(s, "  {}'s segment #{}: {d}", r.host, r.n);
                }
                None => {
                    let _ = writeln!(s, "  {d}");
                }
            }
        }
        s.push_str(&self.table);
        s
    }
}

fn compare(case: &str) -> Comparison {
    let dir = captures_dir().join(case);
    let rec: Recording = serde_json::from_str(&read(&dir.join("recording.json")))
        .unwrap_or_else(|e| panic!("{case}/recording.json: {e}"));
    let scenario = Scenario::from_json(&read(&dir.join("scenario.json")))
        .unwrap_or_else(|e| panic!("{case}/scenario.json: {e}"));
    assert!(
        rec.kernel.starts_with("6."),
        "{case}: recorded on kernel {}, not Linux 6.x",
        rec.kernel
    );
    assert_eq!(
        scenario.link.delay_ms, rec.delay_ms,
        "{case}: the scenario's delay must be the recording's"
    );
    assert_eq!(
        scenario.time_limit_ms,
        Some(rec.duration_ms),
        "{case}: time_limit_ms must be the recording's length so both sides cover the same time"
    );
    let timestamps = scenario.profile().timestamps;
    let sysctl = format!("net.ipv4.tcp_timestamps={} (both)", u8::from(timestamps));
    assert!(
        rec.sysctl.contains(&sysctl),
        "{case}: the scenario's timestamps ({timestamps}) must be what was recorded: {:?}",
        rec.sysctl
    );
    // An echo of a TSval sent before T0 could not be related to a segment the
    // engine sent, so the cases with timestamps record the handshake.
    assert!(
        !timestamps || scenario.handshake,
        "{case}: a case with timestamps on must start with the handshake"
    );

    let Observed {
        sent: real,
        duplicates: real_dups,
    } = observed(&dir, &rec);
    let sim = engine(&scenario);

    // Rows of the side-by-side table: (segment, capture's, engine's), in time order.
    let mut rows: Vec<(SegRef, Option<&Seg>, Option<&Seg>)> = Vec::new();
    for host in Host::BOTH {
        let r: Vec<&Seg> = real.iter().filter(|s| s.from == host).collect();
        let e: Vec<&Seg> = sim.segs.iter().filter(|s| s.from == host).collect();
        for n in 0..r.len().max(e.len()) {
            rows.push((SegRef { host, n }, r.get(n).copied(), e.get(n).copied()));
        }
    }
    let when = |row: &(SegRef, Option<&Seg>, Option<&Seg>)| {
        row.2.or(row.1).map_or(f64::INFINITY, |s| s.t_ms)
    };
    rows.sort_by(|x, y| when(x).total_cmp(&when(y)));

    let mut differences = Vec::new();
    for (at, r, e) in &rows {
        match (r, e) {
            (Some(r), Some(e)) => {
                for d in segment_differences(r, e) {
                    differences.push((Some(*at), d));
                }
            }
            (Some(_), None) => differences.push((Some(*at), "only in the capture".into())),
            (None, Some(_)) => differences.push((Some(*at), "only in the engine".into())),
            (None, None) => unreachable!("each row has at least one segment"),
        }
    }
    if real_dups.len() != sim.duplicates.len() {
        differences.push((
            None,
            format!(
                "the wire delivered {} old duplicates, the engine {}",
                real_dups.len(),
                sim.duplicates.len()
            ),
        ));
    }
    for (r, e) in real_dups.iter().zip(&sim.duplicates) {
        for d in segment_differences(r, e) {
            differences.push((None, format!("old duplicate {}: {d}", e.show())));
        }
    }
    let nft_drops = dropped_by_nft(&rec.nft_a) + dropped_by_nft(&rec.nft_b);
    if nft_drops != sim.dropped {
        differences.push((
            None,
            format!(
                "nft dropped {nft_drops} segments, the engine's drop rules {}",
                sim.dropped
            ),
        ));
    }
    for h in Host::BOTH {
        let lines = match h {
            Host::A => &rec.ss_at_end_a,
            Host::B => &rec.ss_at_end_b,
        };
        let real_state = ss_state(lines, h).unwrap_or_else(|e| panic!("{case}: {e}"));
        let sim_state = ss_name(sim.end[h.index()]);
        if real_state != sim_state {
            differences.push((
                None,
                format!(
                    "{h} at {} ms: ss shows {real_state}, engine is in {sim_state}",
                    rec.duration_ms
                ),
            ));
        }
    }

    let mut state_table = String::new();
    for h in Host::BOTH {
        let real_states = recorded_states(&dir.join("states.txt"), h);
        let sim_states = &sim.states[h.index()];
        for d in state_differences(h, &real_states, sim_states, "engine", tolerance_ms) {
            differences.push((None, d));
        }
        let _ = writeln!(
            state_table,
            "  {h} states, Linux: {}\n  {h} states, engine: {}",
            show_states(&real_states),
            show_states(sim_states)
        );
    }

    let mut table = format!(
        "  {:>4}  {:<44} {:<44}\n",
        "", "Linux capture (ms after T0)", "engine, linux profile"
    );
    for (at, r, e) in &rows {
        let mark = if differences.iter().any(|(d, _)| *d == Some(*at)) {
            "  <-- differs"
        } else {
            ""
        };
        let _ = writeln!(
            table,
            "  {:>4}  {:<44} {:<44}{mark}",
            format!("{}#{}", at.host, at.n),
            r.map(Seg::show).unwrap_or_default(),
            e.map(Seg::show).unwrap_or_default()
        );
    }
    table.push_str(&state_table);
    Comparison { differences, table }
}

fn check_matching(case: &str) {
    assert!(MATCHING.contains(&case), "{case} is not in MATCHING");
    if let Err(e) = verdict(case) {
        panic!("{e}");
    }
}

/// One base case and every delay of it in the matrix, each reported.
fn check_matrix(base: &str) {
    assert!(
        MATRIX_BASES.contains(&base),
        "{base} is not in MATRIX_BASES"
    );
    let failures: Vec<String> = matrix_recordings(base)
        .filter_map(|case| verdict(&case).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Compares one case: it must match, unless `KNOWN_DIFFERENCES` lists it, in
/// which case it must still differ, first at the listed segment.
fn verdict(case: &str) -> Result<(), String> {
    let c = compare(case);
    let Some(known) = KNOWN_DIFFERENCES.iter().find(|k| k.case == case) else {
        return if c.differences.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{case}: the engine's linux profile differs from the Linux capture:\n{}",
                c.report()
            ))
        };
    };
    // Printed so `cargo test -- --nocapture` shows the current state.
    println!(
        "{case} (known difference: {}):\n{}",
        known.reason,
        c.report()
    );
    if c.differences.is_empty() {
        return Err(format!(
            "{case}: the engine now matches the Linux capture. Move it from \
             KNOWN_DIFFERENCES to MATCHING.\n{}",
            c.table
        ));
    }
    if c.first_differing_segment() != Some(known.first_differing_segment) {
        return Err(format!(
            "{case}: the engine now differs elsewhere than the known difference \
             ({}):\n{}",
            known.reason,
            c.report()
        ));
    }
    Ok(())
}

macro_rules! cases {
    ($check:ident: $($name:ident => $case:literal),* $(,)?) => {
        $(#[test] fn $name() { $check($case); })*
    };
}

cases! { check_matching:
    lost_fin_1ms => "lost-fin-1ms",
    lost_fin_5ms => "lost-fin-5ms",
    lost_fin_100ms => "lost-fin-100ms",
    lost_data_1ms => "lost-data-1ms",
    lost_data_5ms => "lost-data-5ms",
    lost_data_100ms => "lost-data-100ms",
    syn_into_time_wait => "syn-into-time-wait",
    syn_into_time_wait_no_ts => "syn-into-time-wait-no-ts",
    tw_reuse_bind => "tw-reuse-bind",
    tw_reuse_bind_no_ts => "tw-reuse-bind-no-ts",
    tw_reuse_0 => "tw-reuse-0",
    tw_reuse => "tw-reuse",
    tw_reuse_2 => "tw-reuse-2",
    old_duplicate_paws => "old-duplicate-paws",
}

cases! { check_matrix:
    matrix_normal_close => "normal-close",
    matrix_three_segment_close => "three-segment-close",
    matrix_simultaneous_close => "simultaneous-close",
    matrix_half_close => "half-close",
    matrix_lost_fin => "lost-fin",
    matrix_lost_final_ack => "lost-final-ack",
    matrix_fin_lost_twice => "fin-lost-twice",
    matrix_abort_rst => "abort-rst",
    matrix_unread_data_rst => "unread-data-rst",
    matrix_handshake_and_close => "handshake-and-close",
    matrix_rst_in_time_wait => "rst-in-time-wait",
    matrix_rst_in_time_wait_rfc1337 => "rst-in-time-wait-rfc1337",
    matrix_fin_wait_2_timeout => "fin-wait-2-timeout",
    matrix_close_after_send => "close-after-send",
    matrix_data_after_close => "data-after-close",
    matrix_lost_data => "lost-data",
}

/// Recordings kept out of the fixtures, compared on demand: a held-out check
/// of the engine at other delays, recorded by a copy of `record.sh` with
/// `matrix.py`'s scenarios at those delays:
///
/// ```text
/// FAREWELL_CAPTURES_DIR=/tmp/heldout FAREWELL_CASES=lost-fin-ts-50ms,lost-data-ts-10ms \
///   cargo test -p farewell-engine --test linux_captures -- --ignored named_recordings
/// ```
///
/// Each case must match, as a matrix case does.
#[test]
#[ignore = "needs FAREWELL_CASES and recordings outside the fixtures"]
fn named_recordings_match() {
    let cases = std::env::var("FAREWELL_CASES").expect("FAREWELL_CASES=case,case,...");
    let failures: Vec<String> = cases
        .split(',')
        .filter(|c| !c.is_empty())
        .filter_map(|c| verdict(c).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every recorded case is compared: each directory is in exactly one list, and
/// each listed case has a directory.
#[test]
fn every_recording_is_compared() {
    let mut dirs: Vec<String> = std::fs::read_dir(captures_dir())
        .expect("tests/captures exists")
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type()
                .ok()?
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = MATCHING
        .iter()
        .copied()
        .map(String::from)
        .chain(matrix_cases())
        .chain(
            KNOWN_DIFFERENCES
                .iter()
                .map(|k| k.case.to_string())
                .filter(|k| !matrix_cases().any(|m| &m == k)),
        )
        .collect();
    listed.sort();
    assert_eq!(
        dirs, listed,
        "tests/captures directories vs MATCHING + the matrix + KNOWN_DIFFERENCES"
    );
}

/// The parser reads what tcpdump prints, including `seq X:Y`, a missing `seq`
/// and a payload summary after the length.
#[test]
fn parses_tcpdump_lines() {
    let d = parse_line(
        "1795597846.308697 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1409126156:1409126161, ack 1637674581, win 63, length 5: HTTP",
    )
    .unwrap();
    assert_eq!(
        (d.from, d.flags.as_str(), d.seq, d.ack, d.len),
        (Host::A, "P.", Some(1409126156), Some(1637674581), 5)
    );
    let d = parse_line(
        "1795597845.824688 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [.], ack 1637674581, win 63, length 0",
    )
    .unwrap();
    assert_eq!(
        (d.from, d.seq, d.ack, d.len),
        (Host::B, None, Some(1637674581), 0)
    );
    let e = parse_line("1.0 IP 10.0.0.3.1 > 10.0.0.2.80: Flags [S], seq 1, length 0").unwrap_err();
    assert!(e.contains("10.0.0.3.1"), "{e}");
}

/// Brief states may be missing on either side; lasting ones may not.
#[test]
fn state_comparison_tolerates_only_brief_states() {
    let st = |first: &str, changes: &[(f64, &str)]| {
        (
            first.to_string(),
            changes
                .iter()
                .map(|(t, s)| (*t, s.to_string()))
                .collect::<Vec<_>>(),
        )
    };
    // The engine passes CLOSE-WAIT in 0 ms; the poller did not see it.
    let engine = st(
        "ESTAB",
        &[(20.0, "CLOSE-WAIT"), (20.0, "LAST-ACK"), (60.0, "CLOSED")],
    );
    let linux = st("ESTAB", &[(21.5, "LAST-ACK"), (62.1, "CLOSED")]);
    assert_eq!(
        state_differences(Host::B, &linux, &engine, "engine", tolerance_ms),
        Vec::<String>::new()
    );
    // Linux passes FIN-WAIT-2 inside one segment's processing; the poller saw it.
    let engine = st("ESTAB", &[(400.0, "FIN-WAIT-1"), (440.0, "TIME-WAIT")]);
    let linux = st(
        "ESTAB",
        &[
            (400.9, "FIN-WAIT-1"),
            (440.7, "FIN-WAIT-2"),
            (441.9, "TIME-WAIT"),
        ],
    );
    assert_eq!(
        state_differences(Host::A, &linux, &engine, "engine", tolerance_ms),
        Vec::<String>::new()
    );
    // A FIN-WAIT-2 that lasts is a real difference, and so is a late change.
    let linux = st(
        "ESTAB",
        &[
            (400.9, "FIN-WAIT-1"),
            (420.0, "FIN-WAIT-2"),
            (441.9, "TIME-WAIT"),
        ],
    );
    assert_eq!(
        state_differences(Host::A, &linux, &engine, "engine", tolerance_ms),
        [
            "A enters FIN-WAIT-2 at 420.0 ms, the engine enters TIME-WAIT at 440.0 ms",
            "A enters TIME-WAIT at 441.9 ms, the engine has no such change"
        ]
    );
    let linux = st("ESTAB", &[(400.9, "FIN-WAIT-1"), (560.0, "TIME-WAIT")]);
    assert_eq!(
        state_differences(Host::A, &linux, &engine, "engine", tolerance_ms),
        ["A enters TIME-WAIT at 560.0 ms vs engine 440.0 ms (tolerance ±66.0 ms)"]
    );
}
