//! The RFC 9293 rules most often got wrong, checked on one endpoint at a time,
//! segment in, segments out (in the manner of smoltcp's `send!`/`recv!` tests).

use farewell_engine::endpoint::{Config, Endpoint, EndpointEvent};
use farewell_engine::{
    DiscardReason, Duration, Flags, Instant, Platform, Segment, TcpState, Timestamps,
};

const ISS: u32 = 1000;
const IRS: u32 = 5000;

fn endpoint(platform: Platform) -> Endpoint {
    Endpoint::new_established(
        Config {
            profile: platform.profile(),
            app_reads: true,
            listen: false,
            isns: vec![ISS],
            ts_offset: 0,
        },
        IRS,
        0,
        Duration::from_millis(40),
    )
}

fn seg(flags: Flags, seq: u32, ack: u32, len: u32) -> Segment {
    Segment {
        flags,
        seq,
        ack,
        len,
        window: 65535,
        ts: None,
        dsack: None,
    }
}

/// What the endpoint sent, as (flags, seq, ack, len).
fn sent(ep: &mut Endpoint) -> Vec<(String, u32, u32, u32)> {
    ep.drain_events()
        .filter_map(|e| match e {
            EndpointEvent::Transmit(t) => Some((
                t.segment.flags.tcpdump(),
                t.segment.seq,
                t.segment.ack,
                t.segment.len,
            )),
            _ => None,
        })
        .collect()
}

const ACK: Flags = Flags::ACK;
const FIN_ACK: Flags = Flags::FIN.union(Flags::ACK);
const T0: Instant = Instant::ZERO;

fn t(ms: u64) -> Instant {
    Instant::from_micros(ms * 1000)
}

#[test]
fn a_fin_takes_one_sequence_number() {
    let mut a = endpoint(Platform::Linux);
    a.close(T0);
    assert_eq!(sent(&mut a), [("F.".into(), ISS + 1, IRS + 1, 0)]);
    // The peer ACKs the FIN: ack = FIN's seq + 1.
    a.on_segment(t(40), seg(ACK, IRS + 1, ISS + 2, 0));
    assert_eq!(a.state(), TcpState::FinWait2);
    // Its own FIN: our ACK of it is its seq + 1, from our seq after the FIN.
    a.on_segment(t(50), seg(FIN_ACK, IRS + 1, ISS + 2, 0));
    assert_eq!(sent(&mut a), [(".".into(), ISS + 2, IRS + 2, 0)]);
    assert_eq!(a.state(), TcpState::TimeWait);
}

#[test]
fn a_fin_without_the_ack_of_ours_leads_to_closing() {
    let mut a = endpoint(Platform::Linux);
    a.close(T0);
    sent(&mut a);
    a.on_segment(t(20), seg(FIN_ACK, IRS + 1, ISS + 1, 0));
    assert_eq!(a.state(), TcpState::Closing);
    assert_eq!(sent(&mut a), [(".".into(), ISS + 2, IRS + 2, 0)]);
    a.on_segment(t(40), seg(ACK, IRS + 2, ISS + 2, 0));
    assert_eq!(a.state(), TcpState::TimeWait);
}

#[test]
fn rst_must_match_rcv_nxt_exactly_else_challenge_ack_or_drop() {
    // In window but not exact: challenge ACK (RFC 5961 §3.2), connection lives.
    let mut b = endpoint(Platform::Linux);
    b.on_segment(T0, seg(Flags::RST, IRS + 100, 0, 0));
    assert_eq!(b.state(), TcpState::Established);
    assert_eq!(sent(&mut b), [(".".into(), ISS + 1, IRS + 1, 0)]);
    // Outside the window: dropped silently.
    b.on_segment(T0, seg(Flags::RST, IRS + 1 + 70_000, 0, 0));
    assert_eq!(b.state(), TcpState::Established);
    assert!(sent(&mut b).is_empty());
    // Exact: reset.
    b.on_segment(T0, seg(Flags::RST, IRS + 1, 0, 0));
    assert_eq!(b.state(), TcpState::Closed);
}

#[test]
fn data_after_close_is_answered_with_rst_but_after_shutdown_it_is_acked() {
    let mut closed = endpoint(Platform::Linux);
    closed.close(T0);
    sent(&mut closed);
    closed.on_segment(t(20), seg(ACK | Flags::PSH, IRS + 1, ISS + 2, 10));
    assert_eq!(sent(&mut closed), [("R".into(), ISS + 2, 0, 0)]);
    assert_eq!(closed.state(), TcpState::Closed);

    let mut half = endpoint(Platform::Linux);
    half.shutdown_write(T0);
    sent(&mut half);
    half.on_segment(t(20), seg(ACK | Flags::PSH, IRS + 1, ISS + 2, 10));
    assert_eq!(half.state(), TcpState::FinWait2);
    // Linux quickack: ACKed at once.
    assert_eq!(sent(&mut half), [(".".into(), ISS + 2, IRS + 11, 0)]);
}

#[test]
fn a_segment_for_no_connection_gets_a_rst() {
    let mut gone = endpoint(Platform::Linux);
    gone.abort(T0);
    sent(&mut gone);
    // With ACK: <SEQ=SEG.ACK><CTL=RST>.
    gone.on_segment(t(1), seg(FIN_ACK, 777, 4242, 0));
    assert_eq!(sent(&mut gone), [("R".into(), 4242, 0, 0)]);
    // Without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; a FIN counts one.
    gone.on_segment(t(2), seg(Flags::FIN, 777, 0, 3));
    assert_eq!(sent(&mut gone), [("R.".into(), 0, 781, 0)]);
    // A RST is never answered.
    gone.on_segment(t(3), seg(Flags::RST, 777, 0, 0));
    assert!(sent(&mut gone).is_empty());
}

#[test]
fn time_wait_re_acks_a_retransmitted_fin_and_restarts_two_msl() {
    let mut a = endpoint(Platform::Linux);
    a.close(T0);
    a.on_segment(t(20), seg(FIN_ACK, IRS + 1, ISS + 2, 0));
    assert_eq!(a.state(), TcpState::TimeWait);
    assert_eq!(a.poll_timeout(), Some(t(20 + 60_000)));
    sent(&mut a);
    a.on_segment(t(300), seg(FIN_ACK, IRS + 1, ISS + 2, 0));
    assert_eq!(sent(&mut a), [(".".into(), ISS + 2, IRS + 2, 0)]);
    assert_eq!(a.poll_timeout(), Some(t(300 + 60_000)));
    a.on_timeout(t(300 + 60_000));
    assert_eq!(a.state(), TcpState::Closed);
}

#[test]
fn an_exact_rst_kills_time_wait_only_without_rfc1337() {
    for (platform, survives) in [(Platform::Linux, false), (Platform::Freebsd, true)] {
        let mut a = endpoint(platform);
        a.close(T0);
        a.on_segment(t(20), seg(FIN_ACK, IRS + 1, ISS + 2, 0));
        assert_eq!(a.state(), TcpState::TimeWait);
        // Not exact: ignored everywhere.
        a.on_segment(t(30), seg(Flags::RST, IRS + 5, 0, 0));
        assert_eq!(a.state(), TcpState::TimeWait);
        a.on_segment(t(40), seg(Flags::RST, IRS + 2, 0, 0));
        assert_eq!(a.state() == TcpState::TimeWait, survives, "{platform}");
    }
}

#[test]
fn retransmissions_back_off_and_give_up() {
    let mut a = endpoint(Platform::Linux);
    a.close(T0);
    sent(&mut a);
    // Linux: the first retransmission is a tail loss probe at min(2·SRTT + 200 ms,
    // RTO) = 240 ms, which restarts the RTO (SRTT 40 ms + rttvar, which is
    // max(2·RTT, rto_min) = 200 ms after one sample: 240 ms) without backing it
    // off; from then on the RTO doubles.
    let mut now = T0;
    let mut waits = Vec::new();
    while let Some(deadline) = a.poll_timeout() {
        waits.push(deadline.saturating_since(now).as_ms());
        now = deadline;
        a.on_timeout(now);
        if a.state() == TcpState::Closed {
            break;
        }
    }
    // The orphan gives up after tcp_orphan_retries (8) RTO retransmissions; the
    // probe does not count (it is not an RTO).
    assert_eq!(
        waits,
        [240.0, 240.0, 480.0, 960.0, 1920.0, 3840.0, 7680.0, 15360.0, 30720.0, 61440.0]
    );
    let retransmissions = sent(&mut a).len();
    assert_eq!(retransmissions, 1 + 8);
}

#[test]
fn close_with_unread_data_sends_rst_ack() {
    let mut a = Endpoint::new_established(
        Config {
            profile: Platform::Linux.profile(),
            app_reads: false,
            listen: false,
            isns: vec![ISS],
            ts_offset: 0,
        },
        IRS,
        0,
        Duration::from_millis(40),
    );
    a.on_segment(T0, seg(ACK | Flags::PSH, IRS + 1, ISS + 1, 100));
    sent(&mut a);
    a.close(t(10));
    assert_eq!(sent(&mut a), [("R.".into(), ISS + 1, IRS + 101, 0)]);
    assert_eq!(a.state(), TcpState::Closed);
}

// ----- TCP timestamps (RFC 7323) -----

/// A's timestamp clock at t = 0, and B's.
const A_CLOCK: u32 = 7000;
const B_CLOCK: u32 = 100;

/// A, ESTABLISHED with timestamps (Linux offers them), B's clock echoed so far.
fn endpoint_with_timestamps() -> Endpoint {
    Endpoint::new_established(
        Config {
            profile: Platform::Linux.profile(),
            app_reads: true,
            listen: false,
            isns: vec![ISS],
            ts_offset: A_CLOCK,
        },
        IRS,
        B_CLOCK,
        Duration::from_millis(40),
    )
}

fn seg_ts(flags: Flags, seq: u32, ack: u32, len: u32, tsval: u32, tsecr: u32) -> Segment {
    Segment {
        ts: Some(Timestamps {
            val: tsval,
            ecr: tsecr,
        }),
        ..seg(flags, seq, ack, len)
    }
}

/// A segment sent: (flags, seq, ack, len, TSval, TSecr).
type SentTs = (String, u32, u32, u32, u32, u32);

/// What the endpoint sent, and whether it discarded the segment for PAWS.
fn sent_ts(ep: &mut Endpoint) -> (Vec<SentTs>, bool) {
    let mut paws = false;
    let mut out = Vec::new();
    for e in ep.drain_events() {
        match e {
            EndpointEvent::Transmit(t) => {
                let s = t.segment;
                let ts = s.ts.expect("every segment carries timestamps");
                out.push((s.flags.tcpdump(), s.seq, s.ack, s.len, ts.val, ts.ecr));
            }
            EndpointEvent::Discard(DiscardReason::Paws) => paws = true,
            _ => {}
        }
    }
    (out, paws)
}

/// RFC 7323 §5.3 R1: B's data at 10 ms has TSval 110 and becomes TS.Recent.
/// A segment at 20 ms that fits the window exactly but carries TSval 50 is
/// from an older time: A throws it away unread and answers with a duplicate
/// ACK (RCV.NXT unchanged, TSecr still 110).
#[test]
fn paws_discards_an_old_segment_and_sends_a_duplicate_ack() {
    let mut a = endpoint_with_timestamps();
    a.on_segment(t(10), seg_ts(ACK, IRS + 1, ISS + 1, 100, 110, A_CLOCK));
    assert_eq!(
        sent_ts(&mut a),
        (
            vec![(".".into(), ISS + 1, IRS + 101, 0, A_CLOCK + 10, 110)],
            false
        )
    );
    a.on_segment(t(20), seg_ts(ACK, IRS + 101, ISS + 1, 50, 50, A_CLOCK));
    assert_eq!(
        sent_ts(&mut a),
        (
            vec![(".".into(), ISS + 1, IRS + 101, 0, A_CLOCK + 20, 110)],
            true
        )
    );
    // The same segment with a current TSval is new data, read and ACKed.
    a.on_segment(t(30), seg_ts(ACK, IRS + 101, ISS + 1, 50, 130, A_CLOCK));
    assert_eq!(
        sent_ts(&mut a),
        (
            vec![(".".into(), ISS + 1, IRS + 151, 0, A_CLOCK + 30, 130)],
            false
        )
    );
}

/// TSvals one tick apart pass (`TCP_PAWS_WINDOW`): clocks of hosts that
/// round differently must not reject each other.
#[test]
fn paws_allows_one_tick_of_slack() {
    let mut a = endpoint_with_timestamps();
    a.on_segment(t(10), seg_ts(ACK, IRS + 1, ISS + 1, 100, 110, A_CLOCK));
    sent_ts(&mut a);
    a.on_segment(t(20), seg_ts(ACK, IRS + 101, ISS + 1, 50, 109, A_CLOCK));
    let (out, paws) = sent_ts(&mut a);
    assert!(!paws);
    assert_eq!(out[0].2, IRS + 151, "the data was taken");
}

/// Linux accepts an exact RST "even if it did not pass PAWS"
/// (`tcp_validate_incoming`): a reset must work against a peer whose clock
/// went back (a reboot).
#[test]
fn a_reset_with_an_old_tsval_still_resets() {
    let mut a = endpoint_with_timestamps();
    a.on_segment(t(10), seg_ts(ACK, IRS + 1, ISS + 1, 100, 110, A_CLOCK));
    sent_ts(&mut a);
    a.on_segment(t(20), seg_ts(Flags::RST, IRS + 101, 0, 0, 5, 0));
    assert_eq!(a.state(), TcpState::Closed);
}

/// An old pure ACK that PAWS rejects is dropped without a reply (Linux 6.13+,
/// TCP_RFC7323_PAWS_ACK), where the same ACK with a current TSval, being out of
/// window, is answered.
#[test]
fn paws_drops_an_old_pure_ack_silently() {
    let mut a = endpoint_with_timestamps();
    a.on_segment(t(10), seg_ts(ACK, IRS + 1, ISS + 1, 100, 110, A_CLOCK));
    sent_ts(&mut a);
    a.on_segment(t(20), seg_ts(ACK, IRS + 1, ISS + 1, 0, 60, A_CLOCK));
    assert_eq!(sent_ts(&mut a), (vec![], true));
    a.on_segment(t(30), seg_ts(ACK, IRS + 1, ISS + 1, 0, 130, A_CLOCK));
    assert_eq!(
        sent_ts(&mut a),
        (
            vec![(".".into(), ISS + 1, IRS + 101, 0, A_CLOCK + 30, 110)],
            false
        )
    );
}

/// RFC 7323 §3.2: timestamps are used only if both SYNs carry the option. A
/// offers them on its SYN; B's SYN-ACK does not, so A's ACK and data go
/// without, and a full segment is 1460 bytes. With B's answer carrying them,
/// every segment does, TSecr echoes B's clock, and a full segment is 1448.
#[test]
fn timestamps_are_used_only_when_both_syns_carry_them() {
    for peer_offers in [false, true] {
        let mut a = Endpoint::new(Config {
            profile: Platform::Linux.profile(),
            app_reads: true,
            listen: false,
            isns: vec![ISS],
            ts_offset: A_CLOCK,
        });
        a.connect(T0);
        let syn = a.drain_events().find_map(|e| match e {
            EndpointEvent::Transmit(t) => Some(t.segment),
            _ => None,
        });
        assert_eq!(
            syn.and_then(|s| s.ts),
            Some(Timestamps {
                val: A_CLOCK,
                ecr: 0
            })
        );
        let syn_ack = seg(Flags::SYN | ACK, IRS, ISS + 1, 0);
        let syn_ack = if peer_offers {
            seg_ts(Flags::SYN | ACK, IRS, ISS + 1, 0, B_CLOCK, A_CLOCK)
        } else {
            syn_ack
        };
        a.on_segment(t(40), syn_ack);
        a.send(t(50), 3000);
        let sent: Vec<(u32, Option<Timestamps>)> = a
            .drain_events()
            .filter_map(|e| match e {
                EndpointEvent::Transmit(t) => Some((t.segment.len, t.segment.ts)),
                _ => None,
            })
            .collect();
        let ts = |ms: u32| {
            peer_offers.then_some(Timestamps {
                val: A_CLOCK + ms,
                ecr: B_CLOCK,
            })
        };
        let expected = if peer_offers {
            vec![(0, ts(40)), (1448, ts(50)), (1448, ts(50)), (104, ts(50))]
        } else {
            vec![(0, None), (1460, None), (1460, None), (80, None)]
        };
        assert_eq!(sent, expected, "peer offers timestamps: {peer_offers}");
    }
}

/// A listener whose platform does not offer timestamps (Windows) answers a
/// SYN that carries them with a SYN-ACK that does not.
#[test]
fn a_listener_without_timestamps_does_not_answer_with_them() {
    for (platform, answers_with) in [(Platform::Windows, false), (Platform::Freebsd, true)] {
        let mut b = Endpoint::new(Config {
            profile: platform.profile(),
            app_reads: true,
            listen: true,
            isns: vec![IRS],
            ts_offset: B_CLOCK,
        });
        b.on_segment(T0, seg_ts(Flags::SYN, ISS, 0, 0, A_CLOCK, 0));
        let syn_ack = b.drain_events().find_map(|e| match e {
            EndpointEvent::Transmit(t) => Some(t.segment),
            _ => None,
        });
        let ts = syn_ack.expect("a SYN-ACK").ts;
        assert_eq!(ts.is_some(), answers_with, "{platform}");
        if let Some(ts) = ts {
            assert_eq!((ts.val, ts.ecr), (B_CLOCK, A_CLOCK), "{platform}");
        }
    }
}

/// The D-SACK blocks of what `ep` sent.
fn dsacks(ep: &mut Endpoint) -> Vec<Option<(u32, u32)>> {
    ep.drain_events()
        .filter_map(|e| match e {
            EndpointEvent::Transmit(t) => Some(t.segment.dsack),
            _ => None,
        })
        .collect()
}

/// Linux `tcp_send_dupack` (SACK and D-SACK on by default): a segment with
/// data that lies below RCV.NXT is a duplicate, and the ACK for it names its
/// bytes in a D-SACK block (RFC 2883 §4), once; a FreeBSD endpoint, whose
/// SACK is not modelled, sends the plain duplicate ACK.
#[test]
fn a_duplicate_below_rcv_nxt_is_named_in_a_d_sack_block_on_linux() {
    let mut b = endpoint(Platform::Linux);
    b.on_segment(t(0), seg(ACK, IRS + 1, ISS + 1, 100));
    b.drain_events().for_each(drop);
    // The same 100 bytes again (their ACK was lost, say).
    b.on_segment(t(300), seg(ACK, IRS + 1, ISS + 1, 100));
    assert_eq!(dsacks(&mut b), [Some((IRS + 1, IRS + 101))]);
    // The next ACK carries none.
    b.on_segment(t(400), seg(ACK, IRS + 101, ISS + 1, 10));
    b.on_timeout(t(1000));
    assert!(dsacks(&mut b).iter().all(Option::is_none));

    let mut f = endpoint(Platform::Freebsd);
    f.on_segment(t(0), seg(ACK, IRS + 1, ISS + 1, 100));
    f.drain_events().for_each(drop);
    f.on_segment(t(300), seg(ACK, IRS + 1, ISS + 1, 100));
    assert_eq!(dsacks(&mut f), [None]);
}
