//! The reader against files whose content is known: the simulator's own pcap
//! export, and hand-built captures in every supported format and link type.

mod common;

use common::*;
use farewell_capture::{read, CaptureError, Packet, MAX_BYTES};
use farewell_engine::sim::connection_isns;
use farewell_engine::{builtin, simulate, Flags, Host};
use farewell_export::absolute_numbers;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

fn addr(h: Host) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::from(h.ipv4())), h.port())
}

#[test]
fn the_simulators_export_reads_back_as_its_trace() {
    let mut n = 0;
    for id in builtin::ids() {
        let scenario = builtin::get(id).unwrap();
        let trace = simulate(&scenario);
        let isns = connection_isns(&scenario);
        let bytes = farewell_export::pcap(&trace, &scenario).unwrap();
        let cap = read(&bytes).unwrap_or_else(|e| panic!("{id}: {e}"));
        let segs: Vec<_> = trace.segments().collect();
        assert_eq!(cap.packets.len(), segs.len(), "{id}");
        assert_eq!(cap.frames as usize, segs.len(), "{id}");
        assert_eq!(
            (cap.non_tcp, cap.unparsable, cap.cut_short),
            (0, 0, false),
            "{id}"
        );
        for (i, (p, (t_ms, s))) in cap.packets.iter().zip(&segs).enumerate() {
            let ctx = format!("{id} segment {}", s.id);
            let (seq, ack) = absolute_numbers(s, &isns);
            assert_eq!(p.frame as usize, i + 1, "{ctx}");
            assert_eq!(p.t_us, (t_ms * 1000.0).round() as i64, "{ctx}");
            assert_eq!((p.src, p.dst), (addr(s.from), addr(s.to)), "{ctx}");
            assert_eq!(p.flags, s.flags, "{ctx}");
            assert_eq!((p.seq, p.ack), (seq, ack), "{ctx}");
            assert_eq!(p.len, s.len, "{ctx}");
            assert_eq!(p.interface, 0, "{ctx}");
            // Converted back: relative numbers as in the trace.
            let isn = |h: Host, conn: u32| {
                let v = &isns[h.index()];
                v[(conn.saturating_sub(1) as usize) % v.len()]
            };
            assert_eq!(p.seq.wrapping_sub(isn(s.from, s.conn)), s.seq, "{ctx}");
            if let Some(a) = s.ack {
                let peer = s.peer_conn.unwrap_or(s.conn);
                assert_eq!(p.ack.wrapping_sub(isn(s.to, peer)), a, "{ctx}");
            }
            n += 1;
        }
        // Every packet is in exactly one connection, in order.
        let mut seen = vec![0; cap.packets.len()];
        for c in &cap.connections {
            assert!(c.packets.windows(2).all(|w| w[0] < w[1]), "{id}");
            for &i in &c.packets {
                seen[i as usize] += 1;
            }
            assert_eq!(
                c.has_fin,
                c.packets
                    .iter()
                    .any(|&i| cap.packets[i as usize].flags.contains(Flags::FIN))
            );
        }
        assert!(seen.iter().all(|&k| k == 1), "{id}");
        // The opener is A whenever A sent the first SYN.
        if let Some(first) = segs.iter().find(|(_, s)| s.flags.contains(Flags::SYN)) {
            if first.1.from == Host::A && !first.1.flags.contains(Flags::ACK) {
                assert_eq!(cap.connections[0].a, addr(Host::A), "{id}");
            }
        }
        // One incarnation per connection the sender opened: a new SYN after a
        // FIN/RST exchange (the simulator's reconnects) starts the next.
        let conns = segs.iter().map(|(_, s)| s.conn).max().unwrap_or(0).max(1) as usize;
        assert_eq!(cap.connections.len(), conns, "{id}");
        assert!(
            cap.default_connection().is_some() || segs.is_empty(),
            "{id}"
        );
    }
    assert!(n > 100, "only {n} segments checked");
}

fn check_close(packets: &[Packet], v6: bool) {
    let segs = close(v6);
    assert_eq!(packets.len(), segs.len());
    let (c, s): (IpAddr, IpAddr) = if v6 {
        (
            Ipv6Addr::from(CLIENT6).into(),
            Ipv6Addr::from(SERVER6).into(),
        )
    } else {
        (
            Ipv4Addr::from(CLIENT4).into(),
            Ipv4Addr::from(SERVER4).into(),
        )
    };
    let client = SocketAddr::new(c, CLIENT_PORT);
    let server = SocketAddr::new(s, SERVER_PORT);
    for (p, g) in packets.iter().zip(&segs) {
        let (src, dst) = if g.from_client {
            (client, server)
        } else {
            (server, client)
        };
        assert_eq!((p.src, p.dst), (src, dst));
        assert_eq!(p.seq, g.seq);
        assert_eq!(p.ack, g.ack.unwrap_or(0));
        assert_eq!(p.len as usize, g.len);
        assert_eq!(p.window, 502);
        assert_eq!(p.flags.contains(Flags::SYN), g.syn);
        assert_eq!(p.flags.contains(Flags::FIN), g.fin);
        assert_eq!(p.flags.contains(Flags::ACK), g.ack.is_some());
        if g.options {
            assert_eq!(p.options.mss, Some(1460));
            assert_eq!(p.options.ts, Some((1000, 0)));
            assert!(p.options.sack_permitted);
            assert_eq!(p.options.wscale, Some(7));
        } else {
            assert_eq!(p.options, Default::default());
        }
    }
}

fn frames(link: u32, v6: bool) -> Vec<(i64, Vec<u8>)> {
    close(v6)
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                1_700_000_000_000_000 + i as i64 * 12_345,
                link_frame(link, &ip_packet(s)),
            )
        })
        .collect()
}

#[test]
fn classic_pcap_in_every_link_type_byte_order_and_resolution() {
    let mut n = 0;
    for link in [ETHERNET, NULL, RAW, LOOP, SLL, IPV4, IPV6, SLL2] {
        for v6 in [false, true] {
            if (link == IPV4 && v6) || (link == IPV6 && !v6) {
                continue;
            }
            for big in [false, true] {
                for nanos in [false, true] {
                    let f = frames(link, v6);
                    let cap = read(&pcap(link, big, nanos, &f)).unwrap_or_else(|e| {
                        panic!("link {link} v6 {v6} big {big} ns {nanos}: {e}")
                    });
                    check_close(&cap.packets, v6);
                    for (p, (t, _)) in cap.packets.iter().zip(&f) {
                        assert_eq!(p.t_us, *t);
                    }
                    assert_eq!(cap.connections.len(), 1);
                    let c = &cap.connections[0];
                    assert_eq!(c.a.port(), CLIENT_PORT);
                    assert!(c.has_fin && !c.has_rst);
                    assert_eq!(cap.default_connection(), Some(0));
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, 4 * (6 * 2 + 2));
}

#[test]
fn pcapng_with_sections_interfaces_epb_and_spb() {
    for big in [false, true] {
        let mut w = PcapNg::new(big);
        w.interface(ETHERNET as u16, 6);
        w.interface(SLL2 as u16, 9);
        let v4 = frames(ETHERNET, false);
        let v6 = frames(SLL2, true);
        for (i, (t, f)) in v4.iter().enumerate() {
            w.epb(0, *t as u64, f);
            let (t6, f6) = &v6[i];
            w.epb(1, *t6 as u64 * 1000 + 1, f6);
        }
        // A second section with an unknown-link interface, a raw-IP one and an SPB.
        w.section();
        w.interface(147, 6); // LINKTYPE_USER0
        w.interface(RAW as u16, 3); // milliseconds
        w.epb(0, 5, &[1, 2, 3]);
        w.epb(1, 1_700_000_100_000, &ip_packet(&close(false)[0]));
        w.epb(7, 0, &[0; 40]); // no such interface
        let cap = read(&w.out).unwrap_or_else(|e| panic!("big {big}: {e}"));
        assert_eq!(cap.frames, 16 + 3);
        assert_eq!((cap.non_tcp, cap.unparsable), (1, 1));
        let v4p: Vec<_> = cap
            .packets
            .iter()
            .filter(|p| p.interface == 0)
            .cloned()
            .collect();
        let v6p: Vec<_> = cap
            .packets
            .iter()
            .filter(|p| p.interface == 1)
            .cloned()
            .collect();
        check_close(&v4p, false);
        check_close(&v6p, true);
        assert_eq!(v4p[1].frame, 3);
        assert_eq!(v6p[1].t_us, v6[1].0);
        let last = cap.packets.last().unwrap();
        assert_eq!(
            (last.interface, last.t_us, last.frame),
            (3, 1_700_000_100_000_000, 18)
        );
        // IPv4, IPv6, and the lone SYN on the raw interface (same 4-tuple as
        // the first, closed: a new incarnation).
        assert_eq!(cap.connections.len(), 3);
        assert_eq!(cap.connections[2].incarnation, 2);
        assert_eq!(cap.default_connection(), Some(0));

        let mut w = PcapNg::new(big);
        w.interface(RAW as u16, 6);
        for s in close(true) {
            w.spb(&ip_packet(&s));
        }
        let cap = read(&w.out).unwrap();
        check_close(&cap.packets, true);
        assert!(cap.packets.iter().all(|p| p.t_us == 0));
    }
}

#[test]
fn a_reconnect_on_the_same_four_tuple_is_a_new_incarnation() {
    let mut f = frames(ETHERNET, false);
    let again = frames(ETHERNET, false);
    let t0 = f.last().unwrap().0;
    f.extend(
        again
            .into_iter()
            .map(|(t, x)| (t - 1_700_000_000_000_000 + t0 + 1000, x)),
    );
    // A third time, after a silent TIME_WAIT-length gap, only a SYN then a RST.
    let t1 = f.last().unwrap().0 + 61_000_000;
    let mut rst = close(false)[2];
    rst.rst = true;
    f.push((t1, link_frame(ETHERNET, &ip_packet(&close(false)[0]))));
    f.push((t1 + 10, link_frame(ETHERNET, &ip_packet(&rst))));
    let cap = read(&pcap(ETHERNET, false, false, &f)).unwrap();
    let inc: Vec<_> = cap
        .connections
        .iter()
        .map(|c| (c.incarnation, c.packets.len()))
        .collect();
    assert_eq!(inc, [(1, 8), (2, 8), (3, 2)]);
    assert!(cap.connections[2].has_rst && !cap.connections[2].has_fin);
    // A retransmitted SYN is not a new connection.
    let syn = link_frame(ETHERNET, &ip_packet(&close(false)[0]));
    let cap = read(&pcap(
        ETHERNET,
        false,
        false,
        &[(0, syn.clone()), (1_000_000, syn)],
    ))
    .unwrap();
    assert_eq!(cap.connections.len(), 1);
    assert_eq!(cap.default_connection(), Some(0));
}

#[test]
fn non_tcp_frames_are_counted() {
    let mut udp = Vec::new();
    etherparse::PacketBuilder::ethernet2([2; 6], [4; 6])
        .ipv4(CLIENT4, SERVER4, 64)
        .udp(53, 53)
        .write(&mut udp, &[0; 8])
        .unwrap();
    let f = vec![
        (0, udp),
        (1, vec![0xff; 10]),
        (2, link_frame(ETHERNET, &ip_packet(&close(false)[0]))),
    ];
    let cap = read(&pcap(ETHERNET, false, false, &f)).unwrap();
    assert_eq!(
        (cap.frames, cap.non_tcp, cap.unparsable, cap.packets.len()),
        (3, 1, 1, 1)
    );
    assert_eq!(cap.packets[0].frame, 3);
    let cap = read(&pcap(ETHERNET, false, false, &[])).unwrap();
    assert_eq!(cap.default_connection(), None);
}

#[test]
fn broken_files_get_clear_errors() {
    let good = pcap(ETHERNET, false, false, &frames(ETHERNET, false));
    let err = |b: &[u8]| read(b).unwrap_err();
    assert_eq!(err(&[]), CaptureError::TruncatedHeader { len: 0 });
    assert_eq!(err(&good[..10]), CaptureError::TruncatedHeader { len: 10 });
    assert_eq!(err(b"GET / HTTP/1.1\r\n"), CaptureError::NotACapture);
    let mut bad = good.clone();
    bad[20..24].copy_from_slice(&147u32.to_le_bytes());
    assert_eq!(err(&bad), CaptureError::UnknownLinkType(147));
    let mut bad = good.clone();
    bad[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(err(&bad), CaptureError::AbsurdSnaplen(u32::MAX));
    let mut bad = good.clone();
    bad[24 + 8..24 + 12].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    assert!(matches!(
        err(&bad),
        CaptureError::Malformed { offset: 24, .. }
    ));
    assert!(matches!(
        err(&vec![0; MAX_BYTES + 1]),
        CaptureError::TooLarge { .. }
    ));
    let ng = PcapNg::new(false).out;
    assert_eq!(err(&ng[..20]), CaptureError::TruncatedHeader { len: 20 });
    let mut w = PcapNg::new(false);
    w.interface(147, 6);
    w.epb(0, 0, &[0; 60]);
    assert_eq!(err(&w.out), CaptureError::UnknownLinkType(147));
    for e in [err(&[]), err(&bad), err(&w.out), err(b"nonsense")] {
        assert!(e.to_string().len() > 20, "{e}");
    }
    // Cut inside the last record: the frames before it are kept.
    let cap = read(&good[..good.len() - 5]).unwrap();
    assert!(cap.cut_short);
    assert_eq!(cap.packets.len(), 7);
}

#[test]
fn too_many_frames_are_refused() {
    // Empty records: 16 bytes each, well under the size limit.
    let mut b = pcap(RAW, false, false, &[]);
    for _ in 0..=farewell_capture::MAX_PACKETS {
        b.extend_from_slice(&[0; 16]);
    }
    assert_eq!(read(&b).unwrap_err(), CaptureError::TooManyPackets);
}
