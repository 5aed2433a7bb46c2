//! Exports of a Farewell trace for other tools: a classic pcap file that
//! tcpdump and Wireshark open.
//!
//! The trace prints sequence numbers relative to each host's initial sequence
//! number (ISN), as tcpdump does by default; the pcap carries absolute ones, so
//! the exporter adds back the ISNs the simulator used
//! ([`farewell_engine::sim::connection_isns`]). With them, `tcpdump -S`
//! on the file shows exactly what the two simulated stacks put on the wire.

use farewell_engine::endpoint::RCV_WND;
use farewell_engine::sim::connection_isns;
use farewell_engine::{Flags, Host, Scenario, SegmentEvent, Trace};
use std::fmt;

/// Locally administered (bit 1 of the first octet set), unicast MAC addresses:
/// they can never collide with a real vendor's (IEEE 802 §8.2).
pub const MAC_A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
pub const MAC_B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

/// IPv4 time to live of every packet: Linux's default (`net.ipv4.ip_default_ttl`).
pub const TTL: u8 = 64;

/// pcap snapshot length: tcpdump's default (`MAXIMUM_SNAPLEN`), larger than any
/// frame this exporter can write, so no packet is ever cut short.
const SNAPLEN: u32 = 262_144;

/// Largest TCP payload an IPv4 packet can carry: total length is a 16-bit field
/// (RFC 791 §3.1) and both headers here are 20 bytes (no options; the
/// timestamp option leaves 12 bytes fewer).
pub const MAX_PAYLOAD: u32 = 65_535 - 20 - 20;

/// Ethernet II (14) + IPv4 without options (20) + TCP without options (20).
pub const HEADERS_LEN: usize = 14 + 20 + 20;

/// The TCP options as Linux writes them (`tcp_options_write`): the timestamp
/// (two NOPs, then kind 8, length 10, TSval, TSecr; RFC 7323 §3.2), then a
/// D-SACK block (two NOPs, kind 5, length 10, left and right edge; RFC 2018
/// §3, RFC 2883), its edges absolute like the ACK field (`ack_base` is the
/// receiver's ISN the trace counts from).
fn options(s: &SegmentEvent, ack_base: u32) -> Vec<u8> {
    let mut o = Vec::new();
    if let Some((val, ecr)) = s.tsval.zip(s.tsecr) {
        o.extend_from_slice(&[1, 1, 8, 10]);
        o.extend_from_slice(&val.to_be_bytes());
        o.extend_from_slice(&ecr.to_be_bytes());
    }
    if let Some([l, r]) = s.dsack {
        o.extend_from_slice(&[1, 1, 5, 10]);
        o.extend_from_slice(&l.wrapping_add(ack_base).to_be_bytes());
        o.extend_from_slice(&r.wrapping_add(ack_base).to_be_bytes());
    }
    o
}

/// The MAC address of a host.
pub const fn mac(host: Host) -> [u8; 6] {
    match host {
        Host::A => MAC_A,
        Host::B => MAC_B,
    }
}

/// Why a trace could not be written as pcap (only a hand-edited trace can fail:
/// the simulator never produces these).
#[derive(Clone, Debug, PartialEq)]
pub enum ExportError {
    /// A segment's time is negative, not a number, or beyond what pcap's 32-bit
    /// seconds field holds.
    BadTime { id: u32, t_ms: f64 },
    /// A segment's payload does not fit in one IPv4 packet.
    TooLong { id: u32, len: u32 },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::BadTime { id, t_ms } => write!(
                f,
                "segment {id}: t_ms {} cannot be a pcap timestamp (0 ≤ t_ms < 2^32 s)",
                farewell_num::Shortest(*t_ms)
            ),
            ExportError::TooLong { id, len } => write!(
                f,
                "segment {id}: len {len} does not fit in one IPv4 packet (at most {MAX_PAYLOAD} bytes)"
            ),
        }
    }
}

impl std::error::Error for ExportError {}

/// The absolute sequence and acknowledgment numbers of a trace segment.
///
/// The simulator computes the trace's relative numbers with the ISNs of the
/// sender's current connection incarnation (`conn` in the trace, 1-based; 0
/// for a host that never opened a connection, which uses the first ISN, as
/// `Endpoint::isn_for` does) and, for `ack`, of the receiver's incarnation it
/// is paired with (`peer_conn`, when not `conn`), so adding the same ISNs back gives
/// the absolute numbers exactly, modulo 2^32, even for a RST whose sequence
/// number was copied from another incarnation's ACK field.
/// Returns `(seq, ack)`; `ack` is 0 when the segment has no ACK flag.
pub fn absolute_numbers(s: &SegmentEvent, isns: &[Vec<u32>; 2]) -> (u32, u32) {
    let isn = |h: Host, conn: u32| {
        let v = &isns[h.index()];
        if v.is_empty() {
            0
        } else {
            v[(conn.saturating_sub(1) as usize) % v.len()]
        }
    };
    let seq = isn(s.from, s.conn).wrapping_add(s.seq);
    let ack = s.ack.map_or(0, |a| {
        isn(s.to, s.peer_conn.unwrap_or(s.conn)).wrapping_add(a)
    });
    (seq, ack)
}

/// The pcap timestamp of a segment, `(seconds, microseconds)`: `t_ms` after the
/// Unix epoch. The simulator keeps time in whole microseconds, which is exactly
/// pcap's resolution.
fn timestamp(s: &SegmentEvent, t_ms: f64) -> Result<(u32, u32), ExportError> {
    let us = (t_ms * 1000.0).round();
    if !us.is_finite() || us < 0.0 || us >= f64::from(u32::MAX) * 1e6 {
        return Err(ExportError::BadTime { id: s.id, t_ms });
    }
    let us = us as u64;
    Ok(((us / 1_000_000) as u32, (us % 1_000_000) as u32))
}

/// The Internet checksum (RFC 1071): the ones' complement of the ones'
/// complement sum of 16-bit big-endian words, an odd last byte padded with zero.
fn internet_checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u64 = 0;
    for part in parts {
        let mut words = part.chunks_exact(2);
        for w in &mut words {
            sum += u64::from(u16::from_be_bytes([w[0], w[1]]));
        }
        if let [last] = words.remainder() {
            sum += u64::from(*last) << 8;
        }
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// One Ethernet II + IPv4 + TCP frame for a segment, checksums included.
///
/// Written field by field rather than with a packet library: the headers are
/// fixed (no fragments; the one TCP option is the timestamp), and etherparse and pcap-file together
/// cost the playground's wasm 10 KB gzipped (5 % of its budget). The tests
/// check every frame byte for byte against etherparse's `PacketBuilder` and
/// read the files back with pcap-file and tcpdump.
pub fn frame(s: &SegmentEvent, isns: &[Vec<u32>; 2]) -> Result<Vec<u8>, ExportError> {
    let (seq, ack) = absolute_numbers(s, isns);
    let option = options(s, ack.wrapping_sub(s.ack.unwrap_or(0)));
    let option_len = option.len();
    if s.len as usize + option_len > MAX_PAYLOAD as usize {
        return Err(ExportError::TooLong {
            id: s.id,
            len: s.len,
        });
    }
    let (src, dst) = (s.from.ipv4(), s.to.ipv4());
    // The engine advertises a fixed window on every segment and the trace does
    // not record it, so the same constant is the segment's real window.
    let window = u16::try_from(RCV_WND).unwrap_or(u16::MAX);
    let tcp_len = 20 + option_len + s.len as usize;
    let mut out = Vec::with_capacity(14 + 20 + tcp_len);

    // Ethernet II: destination, source, EtherType IPv4.
    out.extend_from_slice(&mac(s.to));
    out.extend_from_slice(&mac(s.from));
    out.extend_from_slice(&0x0800u16.to_be_bytes());

    // IPv4 (RFC 791 §3.1): version 4, 5 words; no DSCP/ECN; identification 0
    // with Don't Fragment set (as Linux sends TCP, and as etherparse builds it);
    // protocol 6 (TCP).
    let ip_start = out.len();
    out.extend_from_slice(&[0x45, 0]);
    out.extend_from_slice(&((20 + tcp_len) as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0x40, 0, TTL, 6, 0, 0]);
    out.extend_from_slice(&src);
    out.extend_from_slice(&dst);
    let ip_checksum = internet_checksum(&[&out[ip_start..]]);
    out[ip_start + 10..ip_start + 12].copy_from_slice(&ip_checksum.to_be_bytes());

    // TCP (RFC 9293 §3.1): ports, numbers, header length in words (5, plus 3
    // for each option written), flags, window, checksum (over the
    // pseudo-header, header and payload), no urgent pointer, the option.
    let tcp_start = out.len();
    let mut flags = 0u8;
    for (flag, bit) in [
        (Flags::FIN, 0x01),
        (Flags::SYN, 0x02),
        (Flags::RST, 0x04),
        (Flags::PSH, 0x08),
        (Flags::ACK, 0x10),
    ] {
        if s.flags.contains(flag) {
            flags |= bit;
        }
    }
    out.extend_from_slice(&s.from.port().to_be_bytes());
    out.extend_from_slice(&s.to.port().to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&ack.to_be_bytes());
    out.extend_from_slice(&[((20 + option_len as u8) / 4) << 4, flags]);
    out.extend_from_slice(&window.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&option);
    // Payload bytes are not modelled; zeros have the right length.
    out.resize(tcp_start + tcp_len, 0);
    let pseudo_header = [
        src[0], src[1], src[2], src[3], dst[0], dst[1], dst[2], dst[3], 0, 6,
    ];
    let tcp_checksum = internet_checksum(&[
        &pseudo_header,
        &(tcp_len as u16).to_be_bytes(),
        &out[tcp_start..],
    ]);
    out[tcp_start + 16..tcp_start + 18].copy_from_slice(&tcp_checksum.to_be_bytes());
    Ok(out)
}

/// The trace's segments as a classic pcap file (link type Ethernet, microsecond
/// timestamps, little-endian so the bytes are the same on every machine).
///
/// What the file shows is a capture taken *at each segment's sender*: every
/// segment the trace records, at the time it was sent (`t_ms`, counted from the
/// Unix epoch, so `tcpdump -tt` prints the trace's times in seconds), in trace
/// order. That includes segments the link later drops (a capture at the sender
/// sees them leave) and the extra copies made by duplicate rules (written at the
/// original's send time, so the old duplicate is visible next to its original,
/// though on a real network it would be seen only downstream, later).
/// Host A is 10.0.0.1:40000, B 10.0.0.2:80 ([`Host::ipv4`], [`Host::port`]).
/// Payloads are zero bytes; the TCP options are the timestamp
/// (`nop,nop,TS val X ecr Y`), on the segments of connections that use it, and
/// a D-SACK block (`nop,nop,sack 1 {A:B}`) where the trace has one.
///
/// Errors only for hand-edited traces (see [`ExportError`]).
pub fn pcap(trace: &Trace, scenario: &Scenario) -> Result<Vec<u8>, ExportError> {
    pcap_with_isns(trace, &connection_isns(scenario))
}

/// [`pcap`] with explicit ISNs per host and connection incarnation (index 0 is
/// connection 1; cycled when shorter, as the engine does).
///
/// The file format is libpcap's classic one (pcap-savefile(5)): a 24-byte
/// header, then per packet a 16-byte record header and the frame.
pub fn pcap_with_isns(trace: &Trace, isns: &[Vec<u32>; 2]) -> Result<Vec<u8>, ExportError> {
    /// Microsecond timestamps; written little-endian as d4 c3 b2 a1.
    const MAGIC: u32 = 0xa1b2_c3d4;
    /// LINKTYPE_ETHERNET.
    const LINKTYPE_ETHERNET: u32 = 1;
    let segments = trace.segments().count();
    let mut out = Vec::with_capacity(24 + segments * (16 + HEADERS_LEN));
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // timezone offset: UTC
    out.extend_from_slice(&0u32.to_le_bytes()); // timestamp accuracy: unused
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    for (t_ms, s) in trace.segments() {
        let (secs, micros) = timestamp(s, t_ms)?;
        let data = frame(s, isns)?;
        let len = data.len() as u32; // at most 14 + 65 535
        for field in [secs, micros, len, len] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        out.extend_from_slice(&data);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    use farewell_engine::trace::Fate;
    use farewell_engine::{builtin, simulate};
    use pcap_file::pcap::PcapReader;
    use pcap_file::DataLink;
    use std::time::Duration;

    fn packets(bytes: &[u8]) -> Vec<(Duration, Vec<u8>)> {
        let mut r = PcapReader::new(bytes).expect("pcap header");
        assert_eq!(r.header().datalink, DataLink::ETHERNET);
        let mut out = Vec::new();
        while let Some(p) = r.next_packet() {
            let p = p.expect("packet");
            out.push((p.timestamp, p.data.into_owned()));
        }
        out
    }

    /// Every built-in as shipped (timestamps off) and with timestamps on.
    fn scenarios() -> Vec<(String, Scenario)> {
        builtin::ALL
            .iter()
            .flat_map(|b| {
                let mut on = b.scenario();
                on.tunables.timestamps = Some(true);
                [
                    (b.id.to_string(), b.scenario()),
                    (format!("{} +ts", b.id), on),
                ]
            })
            .collect()
    }

    #[test]
    fn every_segment_becomes_a_packet_with_the_trace_numbers() {
        let mut with_ts = 0;
        for (id, scenario) in scenarios() {
            let trace = simulate(&scenario);
            let isns = connection_isns(&scenario);
            let bytes = pcap(&trace, &scenario).unwrap();
            let got = packets(&bytes);
            let segs: Vec<_> = trace.segments().collect();
            assert_eq!(got.len(), segs.len(), "{}", id);
            for ((ts, data), (t_ms, s)) in got.iter().zip(&segs) {
                let ctx = format!("{} segment {}", id, s.id);
                assert_eq!(ts.as_micros() as f64, (t_ms * 1000.0).round(), "{ctx}");
                let p = SlicedPacket::from_ethernet(data).expect("parses");
                let Some(NetSlice::Ipv4(ip)) = &p.net else {
                    panic!("{ctx}: not IPv4")
                };
                assert_eq!(ip.header().source(), s.from.ipv4(), "{ctx}");
                assert_eq!(ip.header().destination(), s.to.ipv4(), "{ctx}");
                let Some(TransportSlice::Tcp(tcp)) = &p.transport else {
                    panic!("{ctx}: not TCP")
                };
                assert_eq!(tcp.source_port(), s.from.port(), "{ctx}");
                assert_eq!(tcp.destination_port(), s.to.port(), "{ctx}");
                assert_eq!(tcp.payload().len(), s.len as usize, "{ctx}");
                assert_eq!(tcp.syn(), s.flags.contains(Flags::SYN), "{ctx}");
                assert_eq!(tcp.fin(), s.flags.contains(Flags::FIN), "{ctx}");
                assert_eq!(tcp.rst(), s.flags.contains(Flags::RST), "{ctx}");
                assert_eq!(tcp.psh(), s.flags.contains(Flags::PSH), "{ctx}");
                assert_eq!(tcp.ack(), s.flags.contains(Flags::ACK), "{ctx}");
                // Relative again, as the trace prints them.
                let isn = |h: Host, conn: u32| {
                    let v = &isns[h.index()];
                    v[(conn.max(1) as usize - 1) % v.len()]
                };
                assert_eq!(
                    tcp.sequence_number().wrapping_sub(isn(s.from, s.conn)),
                    s.seq,
                    "{ctx}"
                );
                if let Some(a) = s.ack {
                    assert_eq!(
                        tcp.acknowledgment_number()
                            .wrapping_sub(isn(s.to, s.peer_conn.unwrap_or(s.conn))),
                        a,
                        "{ctx}"
                    );
                }
                // The timestamp option, where the trace has one.
                let ts = tcp.options_iterator().find_map(|o| match o {
                    Ok(etherparse::TcpOptionElement::Timestamp(v, e)) => Some((v, e)),
                    _ => None,
                });
                assert_eq!(ts, s.tsval.zip(s.tsecr), "{ctx}");
                with_ts += usize::from(ts.is_some());
                // Checksums as a receiver would verify them.
                let h = etherparse::TcpHeader::from_slice(&data[34..]).unwrap().0;
                assert_eq!(
                    h.calc_checksum_ipv4(&ip.header().to_header(), tcp.payload())
                        .unwrap(),
                    tcp.checksum(),
                    "{ctx}"
                );
                assert_eq!(
                    ip.header().to_header().calc_header_checksum(),
                    ip.header().header_checksum(),
                    "{ctx}"
                );
            }
        }
        assert!(with_ts > 50, "only {with_ts} segments with timestamps");
    }

    /// The reference: the same frame built by etherparse's `PacketBuilder`.
    fn etherparse_frame(s: &SegmentEvent, isns: &[Vec<u32>; 2]) -> Vec<u8> {
        let (seq, ack) = absolute_numbers(s, isns);
        let mut b = etherparse::PacketBuilder::ethernet2(mac(s.from), mac(s.to))
            .ipv4(s.from.ipv4(), s.to.ipv4(), TTL)
            .tcp(s.from.port(), s.to.port(), seq, RCV_WND as u16);
        for (flag, set) in [
            (Flags::SYN, etherparse::PacketBuilderStep::syn as fn(_) -> _),
            (Flags::FIN, etherparse::PacketBuilderStep::fin),
            (Flags::RST, etherparse::PacketBuilderStep::rst),
            (Flags::PSH, etherparse::PacketBuilderStep::psh),
        ] {
            if s.flags.contains(flag) {
                b = set(b);
            }
        }
        if s.flags.contains(Flags::ACK) {
            b = b.ack(ack);
        }
        use etherparse::TcpOptionElement::{Noop, SelectiveAcknowledgement, Timestamp};
        let mut opts = Vec::new();
        if let Some((val, ecr)) = s.tsval.zip(s.tsecr) {
            opts.extend([Noop, Noop, Timestamp(val, ecr)]);
        }
        if let Some([l, r]) = s.dsack {
            let base = ack.wrapping_sub(s.ack.unwrap());
            opts.extend([
                Noop,
                Noop,
                SelectiveAcknowledgement((l.wrapping_add(base), r.wrapping_add(base)), [None; 3]),
            ]);
        }
        if !opts.is_empty() {
            b = b.options(&opts).unwrap();
        }
        let payload = vec![0u8; s.len as usize];
        let mut out = Vec::new();
        b.write_to_vec(&mut out, &payload).unwrap();
        out
    }

    #[test]
    fn frames_are_byte_for_byte_what_etherparse_builds() {
        for (id, scenario) in scenarios() {
            let trace = simulate(&scenario);
            let isns = connection_isns(&scenario);
            for (_, s) in trace.segments() {
                let ours = frame(s, &isns).unwrap();
                let option =
                    if s.tsval.is_some() { 12 } else { 0 } + if s.dsack.is_some() { 12 } else { 0 };
                assert_eq!(ours.len(), HEADERS_LEN + option + s.len as usize);
                assert_eq!(ours, etherparse_frame(s, &isns), "{id} segment {}", s.id);
            }
        }
    }

    #[test]
    fn files_are_byte_for_byte_what_pcap_file_writes() {
        use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
        use pcap_file::{Endianness, TsResolution};
        for (id, scenario) in scenarios() {
            let trace = simulate(&scenario);
            let isns = connection_isns(&scenario);
            let header = PcapHeader {
                version_major: 2,
                version_minor: 4,
                ts_correction: 0,
                ts_accuracy: 0,
                snaplen: SNAPLEN,
                datalink: DataLink::ETHERNET,
                ts_resolution: TsResolution::MicroSecond,
                endianness: Endianness::Little,
            };
            let mut w = PcapWriter::with_header(Vec::new(), header).unwrap();
            for (t_ms, s) in trace.segments() {
                let ts = Duration::from_micros((t_ms * 1000.0).round() as u64);
                let data = etherparse_frame(s, &isns);
                w.write_packet(&PcapPacket::new(ts, data.len() as u32, &data))
                    .unwrap();
            }
            assert_eq!(pcap(&trace, &scenario).unwrap(), w.into_writer(), "{id}");
        }
    }

    #[test]
    fn the_internet_checksum_matches_rfc_1071s_example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (ones'
        // complement), so the checksum is its complement, 220d.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&[&data]), !0xddf2);
        // Split anywhere on a word boundary, the sum is the same; an odd
        // trailing byte counts as the high half of a word.
        assert_eq!(internet_checksum(&[&data[..2], &data[2..]]), !0xddf2);
        assert_eq!(internet_checksum(&[&[0xab]]), !0xab00);
    }

    #[test]
    fn a_handshake_starts_at_the_scenario_isns() {
        let scenario = builtin::get("old-duplicate").unwrap();
        let trace = simulate(&scenario);
        let bytes = pcap(&trace, &scenario).unwrap();
        let syns: Vec<(u32, u32)> = packets(&bytes)
            .iter()
            .filter_map(|(_, d)| {
                let p = SlicedPacket::from_ethernet(d).unwrap();
                match p.transport {
                    Some(TransportSlice::Tcp(t)) if t.syn() => {
                        Some((t.sequence_number(), t.acknowledgment_number()))
                    }
                    _ => None,
                }
            })
            .collect();
        // The scenario file: A's ISNs 1000, 1000; B's 5000, 9000. Each SYN-ACK
        // acknowledges A's ISN + 1.
        assert_eq!(
            syns,
            vec![(1000, 0), (5000, 1001), (1000, 0), (9000, 1001)],
            "{syns:?}"
        );
    }

    #[test]
    fn output_is_deterministic_and_little_endian() {
        let scenario = builtin::get("normal-close").unwrap();
        let trace = simulate(&scenario);
        let a = pcap(&trace, &scenario).unwrap();
        let b = pcap(&trace, &scenario).unwrap();
        assert_eq!(a, b);
        // Magic number 0xa1b2c3d4 (microseconds) written little-endian.
        assert_eq!(&a[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
    }

    #[test]
    fn hand_edited_traces_get_errors_naming_the_segment() {
        let scenario = builtin::get("normal-close").unwrap();
        let trace = simulate(&scenario);
        let mut bad = trace.clone();
        let i = bad
            .events
            .iter()
            .position(|e| matches!(e.kind, farewell_engine::EventKind::Segment(_)))
            .unwrap();
        bad.events[i].t_ms = -1.0;
        let err = pcap(&bad, &scenario).unwrap_err();
        assert!(matches!(err, ExportError::BadTime { id: 0, .. }), "{err}");
        assert!(err.to_string().contains("segment 0"), "{err}");

        let mut long = trace.clone();
        if let farewell_engine::EventKind::Segment(s) = &mut long.events[i].kind {
            s.len = MAX_PAYLOAD + 1;
        }
        let err = pcap(&long, &scenario).unwrap_err();
        assert!(matches!(err, ExportError::TooLong { id: 0, .. }), "{err}");

        // The largest payload still fits.
        if let farewell_engine::EventKind::Segment(s) = &mut long.events[i].kind {
            s.len = MAX_PAYLOAD;
        }
        let big = pcap(&long, &scenario).unwrap();
        let p = &packets(&big)[0].1;
        assert_eq!(p.len(), 14 + 65_535);
    }

    #[test]
    fn a_host_without_a_connection_uses_its_first_isn() {
        let isns = [vec![7, 8], vec![100, 200]];
        let mut s = SegmentEvent {
            id: 0,
            from: Host::B,
            to: Host::A,
            flags: Flags::RST | Flags::ACK,
            seq: 5,
            ack: Some(3),
            len: 0,
            tsval: None,
            tsecr: None,
            dsack: None,
            fate: Fate::Delivered,
            retransmission: false,
            arrive_ms: Some(1.0),
            drop_cause: None,
            conn: 0,
            peer_conn: None,
            duplicate: false,
        };
        assert_eq!(absolute_numbers(&s, &isns), (105, 10));
        s.conn = 2;
        assert_eq!(absolute_numbers(&s, &isns), (205, 11));
        s.conn = 3; // cycled
        assert_eq!(absolute_numbers(&s, &isns), (105, 10));
        s.ack = None;
        s.seq = u32::MAX; // wraps modulo 2^32
        assert_eq!(absolute_numbers(&s, &isns), (99, 0));
    }
}
