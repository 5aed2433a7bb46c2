//! The RFC 9293 rules most often got wrong, checked on one endpoint at a time,
//! segment in, segments out (in the manner of smoltcp's `send!`/`recv!` tests).

use farewell_engine::endpoint::{Config, Endpoint, EndpointEvent};
use farewell_engine::{Duration, Flags, Instant, Platform, Segment, TcpState};

const ISS: u32 = 1000;
const IRS: u32 = 5000;

fn endpoint(platform: Platform) -> Endpoint {
    Endpoint::new_established(
        Config {
            profile: platform.profile(),
            app_reads: true,
            listen: false,
            isns: vec![ISS],
        },
        IRS,
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
        },
        IRS,
        Duration::from_millis(40),
    );
    a.on_segment(T0, seg(ACK | Flags::PSH, IRS + 1, ISS + 1, 100));
    sent(&mut a);
    a.close(t(10));
    assert_eq!(sent(&mut a), [("R.".into(), ISS + 1, IRS + 101, 0)]);
    assert_eq!(a.state(), TcpState::Closed);
}
