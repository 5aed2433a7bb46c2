//! The pcap export read back by the real tcpdump (Debian's `tcpdump`, installed
//! by `cargo xtask install`): every trace segment must appear, in order, with the
//! trace's flags, lengths and times, sequence numbers equal to the trace's
//! relative ones plus the ISNs, the timestamp option's TSval and TSecr where
//! the trace has them (each built-in is also exported with timestamps on), and
//! correct IPv4 and TCP checksums.

use farewell_engine::sim::connection_isns;
use farewell_engine::{builtin, simulate, Flags, Host, Scenario, SegmentEvent, Trace};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tcpdump_path() -> Option<PathBuf> {
    ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs tcpdump on `file` with `args`; returns its stdout lines.
fn tcpdump(bin: &Path, file: &Path, args: &[&str]) -> Vec<String> {
    let out = Command::new(bin)
        .arg("-r")
        .arg(file)
        .args(args)
        .output()
        .expect("tcpdump runs");
    assert!(
        out.status.success(),
        "tcpdump {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("tcpdump prints UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// One line of `tcpdump -n [-tt]`, e.g.
/// `0.200000 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [F.], seq 6, ack 1, win 65535, length 0`.
#[derive(Debug, PartialEq)]
struct Line {
    time: String,
    src: String,
    dst: String,
    flags: String,
    /// `seq A` or `seq A:B` (tcpdump omits it on a pure ACK).
    seq: Option<(u32, Option<u32>)>,
    ack: Option<u32>,
    win: u32,
    /// `options [nop,nop,TS val X ecr Y]`.
    ts: Option<(u32, u32)>,
    /// `...,nop,nop,sack 1 {A:B}]`: one SACK block (the D-SACK).
    sack: Option<(u32, u32)>,
    length: u32,
}

fn parse(line: &str) -> Line {
    let fail = || -> ! { panic!("unexpected tcpdump line: {line}") };
    let mut words = line.splitn(5, ' ');
    let time = words.next().unwrap_or_else(|| fail()).to_owned();
    if words.next() != Some("IP") {
        fail()
    }
    let src = words.next().unwrap_or_else(|| fail()).to_owned();
    if words.next() != Some(">") {
        fail()
    }
    let rest = words.next().unwrap_or_else(|| fail());
    let (dst, rest) = rest.split_once(": ").unwrap_or_else(|| fail());
    let mut l = Line {
        time,
        src,
        dst: dst.to_owned(),
        flags: String::new(),
        seq: None,
        ack: None,
        win: 0,
        ts: None,
        sack: None,
        length: u32::MAX,
    };
    let num = |s: &str| s.parse::<u32>().unwrap_or_else(|_| fail());
    for field in rest.split(", ") {
        let (key, value) = field.split_once(' ').unwrap_or_else(|| fail());
        match key {
            "Flags" => {
                l.flags = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .unwrap_or_else(|| fail())
                    .to_owned()
            }
            "seq" => {
                l.seq = Some(match value.split_once(':') {
                    Some((a, b)) => (num(a), Some(num(b))),
                    None => (num(value), None),
                })
            }
            "ack" => l.ack = Some(num(value)),
            "win" => l.win = num(value),
            "options" => {
                let inner = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .unwrap_or_else(|| fail());
                let (ts, sack) = match inner.split_once("nop,nop,sack 1 {") {
                    Some((ts, sack)) => (ts.strip_suffix(',').unwrap_or(ts), Some(sack)),
                    None => (inner, None),
                };
                if !ts.is_empty() {
                    let ts = ts
                        .strip_prefix("nop,nop,TS val ")
                        .and_then(|v| v.split_once(" ecr "))
                        .unwrap_or_else(|| fail());
                    l.ts = Some((num(ts.0), num(ts.1)));
                }
                if let Some(sack) = sack {
                    let (a, b) = sack
                        .strip_suffix('}')
                        .and_then(|v| v.split_once(':'))
                        .unwrap_or_else(|| fail());
                    l.sack = Some((num(a), num(b)));
                }
            }
            // `length 5: HTTP`: tcpdump names port 80's payload.
            "length" => l.length = num(value.split(':').next().unwrap_or(value)),
            _ => fail(),
        }
    }
    l
}

fn addr(h: Host) -> String {
    let [a, b, c, d] = h.ipv4();
    format!("{a}.{b}.{c}.{d}.{}", h.port())
}

/// The ISN tcpdump-relative numbers are taken against: the sender's connection
/// incarnation picks it for both hosts, as the engine does.
fn isn(isns: &[Vec<u32>; 2], h: Host, conn: u32) -> u32 {
    let v = &isns[h.index()];
    v[(conn.max(1) as usize - 1) % v.len()]
}

/// tcpdump prints `seq` unless the segment is a pure ACK (print-tcp.c:
/// `length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)`).
fn prints_seq(s: &SegmentEvent) -> bool {
    s.len > 0
        || s.flags.contains(Flags::SYN)
        || s.flags.contains(Flags::FIN)
        || s.flags.contains(Flags::RST)
}

/// Each built-in's id, as shipped (timestamps off) and with timestamps on.
fn cases() -> impl Iterator<Item = (&'static str, bool)> {
    builtin::ALL
        .iter()
        .flat_map(|b| [(b.id, false), (b.id, true)])
}

/// Writes the pcap of built-in `id` (with timestamps on if `ts`); `test` names
/// the file apart from the other tests' (they run in parallel).
fn export(id: &str, ts: bool, test: &str) -> (Scenario, Trace, PathBuf) {
    let mut scenario = builtin::get(id).expect("built-in");
    if ts {
        scenario.tunables.timestamps = Some(true);
    }
    let trace = simulate(&scenario);
    let bytes = farewell_export::pcap(&trace, &scenario).expect("exports");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{test}-{id}-{ts}.pcap"));
    std::fs::write(&path, bytes).expect("write pcap");
    (scenario, trace, path)
}

#[test]
fn tcpdump_reads_every_segment_with_absolute_numbers() {
    let Some(bin) = tcpdump_path() else {
        eprintln!("NOTICE: tcpdump not installed (/usr/bin/tcpdump); skipping the tcpdump check");
        return;
    };
    let (mut checked, mut with_ts, mut with_sack) = (0, 0, 0);
    for (id, ts) in cases() {
        let (scenario, trace, path) = export(id, ts, "absolute");
        let isns = connection_isns(&scenario);
        let lines = tcpdump(&bin, &path, &["-n", "-S", "-tt"]);
        let segs: Vec<_> = trace.segments().collect();
        assert_eq!(lines.len(), segs.len(), "{id}: {lines:#?}");
        for (line, (t_ms, s)) in lines.iter().zip(&segs) {
            let ctx = format!("{id} (timestamps {ts}) segment {}: {line}", s.id);
            let l = parse(line);
            // Microsecond precision: the simulator's time unit.
            let us = (t_ms * 1000.0).round() as u64;
            assert_eq!(
                l.time,
                format!("{}.{:06}", us / 1_000_000, us % 1_000_000),
                "{ctx}"
            );
            assert_eq!(l.src, addr(s.from), "{ctx}");
            assert_eq!(l.dst, addr(s.to), "{ctx}");
            assert_eq!(l.flags, s.flags.tcpdump(), "{ctx}");
            assert_eq!(l.length, s.len, "{ctx}");
            assert_eq!(l.win, 65_535, "{ctx}");
            let abs_seq = isn(&isns, s.from, s.conn).wrapping_add(s.seq);
            let want_seq =
                prints_seq(s).then(|| (abs_seq, (s.len > 0).then(|| abs_seq.wrapping_add(s.len))));
            assert_eq!(l.seq, want_seq, "{ctx}");
            let want_ack = s.ack.map(|a| isn(&isns, s.to, s.conn).wrapping_add(a));
            assert_eq!(l.ack, want_ack, "{ctx}");
            assert_eq!(l.ts, s.tsval.zip(s.tsecr), "{ctx}");
            // The D-SACK block, absolute like the ACK field.
            let isn_to = isn(&isns, s.to, s.conn);
            let want_sack = s
                .dsack
                .map(|[a, b]| (isn_to.wrapping_add(a), isn_to.wrapping_add(b)));
            assert_eq!(l.sack, want_sack, "{ctx}");
            with_sack += usize::from(l.sack.is_some());
            // A reset for no connection carries none (Linux `tcp_v4_send_reset`).
            assert!(!ts || l.ts.is_some() || s.flags == Flags::RST, "{ctx}");
            with_ts += usize::from(l.ts.is_some());
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} segments checked");
    assert!(with_ts > 50, "only {with_ts} segments with timestamps");
    assert!(with_sack > 0, "no segment with a D-SACK block");
}

/// tcpdump's default relative numbering (print-tcp.c, `tcp_seq_hash`): only
/// segments with ACK are made relative; the first such segment of a
/// conversation, or any SYN-ACK, is printed absolute and sets the bases to its
/// own seq (sender) and ack − 1 (receiver). After a SYN-ACK those bases are the
/// two ISNs, so tcpdump's numbers are the trace's; without a handshake the first
/// segment's seq (ISN + 1 or more) is the sender's base, and tcpdump's numbers
/// are the trace's minus that offset.
#[test]
fn tcpdump_relative_numbers_match_the_trace() {
    let Some(bin) = tcpdump_path() else {
        eprintln!("NOTICE: tcpdump not installed (/usr/bin/tcpdump); skipping the tcpdump check");
        return;
    };
    let mut equal_to_trace = 0;
    for (id, ts) in cases() {
        let (scenario, trace, path) = export(id, ts, "relative");
        let isns = connection_isns(&scenario);
        let lines = tcpdump(&bin, &path, &["-n"]);
        let segs: Vec<_> = trace.segments().collect();
        assert_eq!(lines.len(), segs.len(), "{id}");
        // tcpdump's absolute bases per host once a conversation has been seen,
        // and whether a SYN-ACK set them.
        let mut bases: Option<([u32; 2], bool)> = None;
        for (line, (_, s)) in lines.iter().zip(&segs) {
            let ctx = format!("{id} (timestamps {ts}) segment {}: {line}", s.id);
            let l = parse(line);
            let isn_from = isn(&isns, s.from, s.conn);
            let isn_to = isn(&isns, s.to, s.conn);
            let abs_seq = isn_from.wrapping_add(s.seq);
            let (seq, ack) = match s.ack {
                None => (abs_seq, 0),
                Some(rel_ack) => {
                    let abs_ack = isn_to.wrapping_add(rel_ack);
                    match bases {
                        Some((base, _)) if !s.flags.contains(Flags::SYN) => {
                            let printed = (
                                abs_seq.wrapping_sub(base[s.from.index()]),
                                abs_ack.wrapping_sub(base[s.to.index()]),
                            );
                            if base[s.from.index()] == isn_from && base[s.to.index()] == isn_to {
                                // Exactly the trace's relative numbers.
                                assert_eq!(printed, (s.seq, rel_ack), "{ctx}");
                                equal_to_trace += 1;
                            }
                            printed
                        }
                        _ => {
                            let mut base = [0; 2];
                            base[s.from.index()] = abs_seq;
                            base[s.to.index()] = abs_ack.wrapping_sub(1);
                            let syn_ack = s.flags.contains(Flags::SYN);
                            if syn_ack {
                                assert_eq!(
                                    (base[s.from.index()], base[s.to.index()]),
                                    (isn_from, isn_to),
                                    "{ctx}: a SYN-ACK carries the ISN and acks the peer's ISN + 1"
                                );
                            }
                            bases = Some((base, syn_ack));
                            (abs_seq, abs_ack)
                        }
                    }
                }
            };
            if prints_seq(s) {
                let end = (s.len > 0).then(|| seq.wrapping_add(s.len));
                assert_eq!(l.seq, Some((seq, end)), "{ctx}");
            } else {
                assert_eq!(l.seq, None, "{ctx}");
            }
            assert_eq!(l.ack, s.ack.map(|_| ack), "{ctx}");
            // tcpdump prints SACK edges from the ACK field's base.
            let ack_base = s
                .ack
                .map_or(0, |a| isn_to.wrapping_add(a).wrapping_sub(ack));
            let want_sack = s.dsack.map(|[a, b]| {
                (
                    isn_to.wrapping_add(a).wrapping_sub(ack_base),
                    isn_to.wrapping_add(b).wrapping_sub(ack_base),
                )
            });
            assert_eq!(l.sack, want_sack, "{ctx}");
            assert_eq!(l.flags, s.flags.tcpdump(), "{ctx}");
        }
        if scenario.handshake {
            assert!(
                matches!(bases, Some((_, true))),
                "{id}: a handshake scenario's conversation starts at a SYN-ACK"
            );
        }
    }
    assert!(
        equal_to_trace > 10,
        "only {equal_to_trace} segments printed with the trace's own numbers"
    );
}

#[test]
fn tcpdump_finds_every_checksum_correct() {
    let Some(bin) = tcpdump_path() else {
        eprintln!("NOTICE: tcpdump not installed (/usr/bin/tcpdump); skipping the tcpdump check");
        return;
    };
    for (id, ts) in cases() {
        let (_, trace, path) = export(id, ts, "checksums");
        let text = tcpdump(&bin, &path, &["-n", "-vv"]).join("\n");
        let segments = trace.segments().count();
        // -vv verifies the TCP checksum of every packet; a wrong IPv4 header
        // checksum would print `bad cksum`.
        assert!(!text.contains("incorrect"), "{id} {ts}: {text}");
        assert!(!text.contains("bad cksum"), "{id} {ts}: {text}");
        assert_eq!(
            text.matches(" (correct), ").count(),
            segments,
            "{id} {ts}: {text}"
        );
    }
}
