//! State inference against the engine's own traces (every built-in, exported
//! as the simulator's pcap and as captures taken on host A and on host B),
//! hand-built stories, and bad input.

mod common;

use common::*;
use farewell_capture::explain::{self, FindingKind, Line};
use farewell_capture::infer::{Cause, Certainty, InferError, Inference, Vantage};
use farewell_capture::{infer, read, Capture, Options};
use farewell_engine::trace::{Fate, TimerKind};
use farewell_engine::{builtin, simulate, EventKind, Host, Scenario, TcpState, Trace, TraceEvent};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// One state transition: (time in ms, from, to).
type Change = (f64, TcpState, TcpState);

/// A host's transitions in the trace, one list per connection incarnation
/// (a transition out of CLOSED or LISTEN starts the next). Entering LISTEN
/// is dropped: a listener's CLOSED → LISTEN between connections puts nothing
/// on the wire.
fn trace_incarnations(trace: &Trace, host: Host) -> Vec<Vec<Change>> {
    let mut out: Vec<Vec<Change>> = Vec::new();
    for e in &trace.events {
        let EventKind::State { host: h, from, to } = e.kind else {
            continue;
        };
        if h != host || to == TcpState::Listen {
            continue;
        }
        // A connection that replaces a TIME_WAIT (a SYN the TIME_WAIT let
        // through, or a connect() that took it over) starts one too. The
        // inference replays each incarnation on its own, from CLOSED (a
        // connect) or LISTEN (a SYN taken), so that is its `from`.
        let replaces =
            from == TcpState::TimeWait && matches!(to, TcpState::SynSent | TcpState::SynReceived);
        let from = match (replaces, to) {
            (true, TcpState::SynSent) => TcpState::Closed,
            (true, _) => TcpState::Listen,
            _ => from,
        };
        let starts = matches!(from, TcpState::Closed | TcpState::Listen);
        if starts || out.is_empty() {
            out.push(Vec::new());
        }
        out.last_mut().unwrap().push((e.t_ms, from, to));
    }
    out
}

/// The capture's name for the trace's `host`: A is the side that opened the
/// connection, or without a handshake the first one seen sending.
fn label(inf: &Inference, host: Host) -> Host {
    let a = SocketAddr::new(IpAddr::V4(Ipv4Addr::from(Host::A.ipv4())), Host::A.port());
    if inf.a == a {
        host
    } else {
        host.peer()
    }
}

fn inferred(inf: &Inference, host: Host, until_ms: f64) -> Vec<Change> {
    let host = label(inf, host);
    inf.changes
        .iter()
        .filter(|c| {
            c.host == host
                && (c.certainty != Certainty::AfterCapture
                    || c.t_us as f64 / 1000.0 <= until_ms + 1.0)
        })
        .map(|c| (c.t_us as f64 / 1000.0, c.from, c.to))
        .collect()
}

/// The capture a tcpdump on `host` would record: what it sent, when it sent
/// it (dropped later on the link or not; a network duplicate is one packet
/// there), and what reached it, when it arrived.
fn capture_at(trace: &Trace, host: Host) -> Trace {
    let mut events: Vec<TraceEvent> = Vec::new();
    for (t_ms, s) in trace.segments() {
        if s.from == host {
            if !s.duplicate {
                events.push(TraceEvent {
                    t_ms,
                    kind: EventKind::Segment(s.clone()),
                });
            }
        } else if s.fate == Fate::Delivered {
            events.push(TraceEvent {
                t_ms: s.arrive_ms.unwrap(),
                kind: EventKind::Segment(s.clone()),
            });
        }
    }
    events.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    Trace { events }
}

fn explain_all(bytes: &[u8], scenario: &Scenario) -> (Capture, Vec<Inference>) {
    let cap = read(bytes).unwrap();
    let opts = Options {
        profile: scenario.profile(),
    };
    let infs = (0..cap.connections.len())
        .map(|c| infer(&cap, c, &opts).unwrap())
        .collect();
    (cap, infs)
}

/// Whether any segment `from` sent was dropped on the link: a capture at the
/// other host then shows `from`'s state changes late (when it sent what got
/// through).
fn drops_from(trace: &Trace, from: Host) -> bool {
    trace
        .segments()
        .any(|(_, s)| s.from == from && s.fate == Fate::Dropped)
}

/// Checks the inferred transitions of every connection against the trace's:
/// the same transitions in the same order for both hosts; times within
/// the tolerance `timed(inference, host)` gives, where the capture shows them.
fn check(
    id: &str,
    trace: &Trace,
    infs: &[Inference],
    timed: impl Fn(&Inference, Host) -> Option<f64>,
) {
    let end = trace.end_ms();
    for host in Host::BOTH {
        let want = trace_incarnations(trace, host);
        assert_eq!(
            want.len(),
            infs.len(),
            "{id}: {host} has {} incarnations in the trace, the capture {}",
            want.len(),
            infs.len()
        );
        for (k, (w, inf)) in want.iter().zip(infs).enumerate() {
            let got = inferred(inf, host, end);
            let names = |v: &[Change]| v.iter().map(|c| (c.1, c.2)).collect::<Vec<_>>();
            assert_eq!(
                names(&got),
                names(w),
                "{id} connection {} host {host}:\n got {got:?}\nwant {w:?}",
                k + 1
            );
            if let Some(tol_ms) = timed(inf, host) {
                // The trace's illumos reaper runs on the scenario's clock; the
                // capture reader, which cannot see it, ends TIME_WAIT at its
                // own length, up to one run earlier.
                let reaper_ms = inf
                    .platform
                    .profile()
                    .time_wait_granularity
                    .map_or(0.0, |g| g.as_ms());
                for (g, w) in got.iter().zip(w) {
                    let late = if w.1 == TcpState::TimeWait && w.0 > g.0 {
                        reaper_ms
                    } else {
                        0.0
                    };
                    assert!(
                        (g.0 - w.0).abs() <= tol_ms + late,
                        "{id} connection {} host {host}: {} → {} at {} ms, the trace says {} ms",
                        k + 1,
                        w.1,
                        w.2,
                        g.0,
                        w.0
                    );
                }
            }
        }
    }
}

#[test]
fn every_builtins_export_infers_the_traces_states() {
    for id in builtin::ids() {
        let scenario = builtin::get(id).unwrap();
        let trace = simulate(&scenario);
        let bytes = farewell_export::pcap(&trace, &scenario).unwrap();
        let (_, infs) = explain_all(&bytes, &scenario);
        // The export stamps each segment when it leaves its sender, so every
        // answer looks a one-way delay late and the capture point halfway:
        // each host's clock comes out shifted by half the delay. Where only
        // one side's answers can be timed, the other is taken to be at the
        // capture point, and its arrivals come out up to a delay early.
        let d = scenario.link.delay_ms;
        check(id, &trace, &infs, |inf, _| {
            Some(if inf.position.vantage == Vantage::Unknown {
                d + 0.5
            } else {
                d / 2.0 + 0.5
            })
        });
        for inf in &infs {
            assert_ne!(inf.position.vantage, Vantage::NearA, "{id}");
            assert_ne!(inf.position.vantage, Vantage::NearB, "{id}");
        }
    }
}

#[test]
fn a_capture_on_either_host_infers_the_traces_states() {
    for id in builtin::ids() {
        let scenario = builtin::get(id).unwrap();
        let trace = simulate(&scenario);
        for at in Host::BOTH {
            let local = capture_at(&trace, at);
            let bytes = farewell_export::pcap(&local, &scenario).unwrap();
            let (_, infs) = explain_all(&bytes, &scenario);
            let ctx = format!("{id} captured on {at}");
            // The capture host's own times are exact; the far host's too,
            // unless its segments were dropped before reaching the capture
            // or no answer of its could be timed (the delay is then unknown).
            let far_lost = drops_from(&trace, at.peer());
            let far_timed = |inf: &Inference| {
                let p = &inf.position;
                match label(inf, at.peer()) {
                    Host::A => p.a_turnaround_us.is_some(),
                    Host::B => p.b_turnaround_us.is_some(),
                }
            };
            // Where no answer of the capture host could be timed either, the
            // capture point is unknown and taken as halfway: times are then
            // off by up to half the delay.
            let d = scenario.link.delay_ms;
            check(&ctx, &trace, &infs, |inf, h| {
                if inf.position.vantage == Vantage::Unknown {
                    (h == at || !far_lost).then_some(d / 2.0 + 0.5)
                } else {
                    (h == at || (!far_lost && far_timed(inf))).then_some(0.5)
                }
            });
            for inf in &infs {
                let want = if label(inf, at) == Host::A {
                    Vantage::NearA
                } else {
                    Vantage::NearB
                };
                if inf.position.a_turnaround_us.is_some() && inf.position.b_turnaround_us.is_some()
                {
                    assert_eq!(inf.position.vantage, want, "{ctx}");
                }
                let known = inf.position.vantage != Vantage::Unknown;
                for c in inf
                    .changes
                    .iter()
                    .filter(|c| known && c.host == label(inf, at))
                {
                    if matches!(c.cause, Cause::Sent { .. } | Cause::Received { .. }) {
                        assert_eq!(c.certainty, Certainty::Seen, "{ctx}: {c:?}");
                    }
                }
            }
        }
    }
}

/// Every segment of a built-in's capture on A is one the engine's endpoint
/// sends there: the inferred application calls reproduce the run.
#[test]
fn the_engine_explains_every_segment_of_a_capture_on_a() {
    for id in builtin::ids() {
        let scenario = builtin::get(id).unwrap();
        let trace = simulate(&scenario);
        let bytes = farewell_export::pcap(&capture_at(&trace, Host::A), &scenario).unwrap();
        let (_, infs) = explain_all(&bytes, &scenario);
        for inf in &infs {
            let odd: Vec<_> = inf
                .segments
                .iter()
                .filter(|s| !s.explained && s.from == label(inf, Host::A))
                .map(|s| s.frame)
                .collect();
            assert!(odd.is_empty(), "{id}: A's frames {odd:?} unexplained");
        }
    }
}

fn finding(inf: &Inference, kind: FindingKind) -> explain::Finding {
    explain::findings(inf)
        .into_iter()
        .find(|f| f.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} finding in {:#?}", explain::findings(inf)))
}

fn builtin_on_a(id: &str) -> Inference {
    let scenario = builtin::get(id).unwrap();
    let trace = simulate(&scenario);
    let bytes = farewell_export::pcap(&capture_at(&trace, Host::A), &scenario).unwrap();
    let (_, mut infs) = explain_all(&bytes, &scenario);
    infs.remove(0)
}

#[test]
fn builtin_stories_are_narrated() {
    let inf = builtin_on_a("fin-wait-2-timeout");
    let f = finding(&inf, FindingKind::FinWait2Timeout);
    assert_eq!(
        f.text,
        "B never sent its FIN: A waited in FIN_WAIT_2 for 60 s until tcp_fin_timeout; \
         B's FIN came only at +90.020000 s (frame 5)"
    );
    let r = finding(&inf, FindingKind::Reset);
    assert!(
        r.text.contains("bare RST") && r.text.contains("FIN_WAIT_2 had timed out"),
        "{}",
        r.text
    );

    // B sends first, so the capture calls it A.
    let inf = builtin_on_a("unread-data-rst");
    assert_eq!(label(&inf, Host::A), Host::B);
    let r = finding(&inf, FindingKind::Reset);
    assert!(
        r.text
            .starts_with("RST after data, instead of a FIN: B closed with unread data from A"),
        "{}",
        r.text
    );

    let inf = builtin_on_a("lost-final-ack");
    finding(&inf, FindingKind::TimeWaitRestarted);
    let lost = finding(&inf, FindingKind::Lost);
    assert!(lost.text.starts_with("A's ACK"), "{}", lost.text);

    let inf = builtin_on_a("rst-in-time-wait");
    let r = finding(&inf, FindingKind::Reset);
    assert!(r.text.contains("TIME_WAIT assassination"), "{}", r.text);

    let inf = builtin_on_a("three-segment-close");
    assert!(finding(&inf, FindingKind::Close)
        .text
        .ends_with("a 3-segment close"));
    let inf = builtin_on_a("normal-close");
    assert!(!finding(&inf, FindingKind::Close).text.contains("3-segment"));
    assert!(explain::findings(&inf).iter().all(|f| !matches!(
        f.kind,
        FindingKind::Retransmission | FindingKind::Reset | FindingKind::Lost
    )));
}

// ----- hand-built captures -----

const C: u32 = 1_000_000;
const S: u32 = 7_000_000;

fn seg(from_client: bool, seq: u32, ack: Option<u32>) -> Seg {
    Seg {
        v6: false,
        from_client,
        syn: false,
        ack,
        fin: false,
        rst: false,
        seq,
        len: 0,
        options: false,
    }
}

/// A capture on the client: a handshake with a 20 ms round trip, 100 bytes
/// each way, then `rest`.
fn story(rest: Vec<(i64, Seg)>) -> Vec<u8> {
    let t0 = 1_700_000_000_000_000i64;
    let mut segs = vec![
        (
            0,
            Seg {
                syn: true,
                options: true,
                ..seg(true, C, None)
            },
        ),
        (
            20_000,
            Seg {
                syn: true,
                options: true,
                ..seg(false, S, Some(C + 1))
            },
        ),
        (20_050, seg(true, C + 1, Some(S + 1))),
        (
            30_000,
            Seg {
                len: 100,
                ..seg(true, C + 1, Some(S + 1))
            },
        ),
        (
            50_000,
            Seg {
                len: 100,
                ..seg(false, S + 1, Some(C + 101))
            },
        ),
        (50_100, seg(true, C + 101, Some(S + 101))),
    ];
    segs.extend(rest);
    let frames: Vec<_> = segs
        .iter()
        .map(|(t, s)| (t0 + t, link_frame(ETHERNET, &ip_packet(s))))
        .collect();
    pcap(ETHERNET, false, false, &frames)
}

fn explain_story(bytes: &[u8]) -> Inference {
    let cap = read(bytes).unwrap();
    let conn = cap.default_connection().unwrap();
    infer(&cap, conn, &Options::default()).unwrap()
}

fn states(inf: &Inference, host: Host) -> Vec<TcpState> {
    let mut v = vec![inf.start[host.index()]];
    v.extend(inf.changes.iter().filter(|c| c.host == host).map(|c| c.to));
    v
}

use TcpState::*;

#[test]
fn a_fin_retransmitted_into_silence() {
    // The client's FIN at 1 s, then again after 200, 400, 800 and 1600 ms:
    // the server never answers.
    let fin = Seg {
        fin: true,
        ..seg(true, C + 101, Some(S + 101))
    };
    let bytes = story(
        [1_000_000, 1_200_000, 1_600_000, 2_400_000, 4_000_000]
            .into_iter()
            .map(|t| (t, fin))
            .collect(),
    );
    let inf = explain_story(&bytes);
    assert_eq!(inf.position.vantage, Vantage::NearA);
    assert_eq!(inf.position.b_turnaround_us, Some(20_000));
    assert_eq!(inf.position.a_turnaround_us, Some(50));
    let f = finding(&inf, FindingKind::Retransmission);
    assert_eq!(
        f.text,
        "A's FIN (frame 7) was retransmitted 4 times after 200 ms, 400 ms, 800 ms, 1.6 s \
         (doubling gaps: exponential backoff, RFC 6298 §5.5); B never answered: the peer was gone or unreachable"
    );
    assert_eq!(f.frames, vec![7, 8, 9, 10, 11]);
    assert_eq!(
        states(&inf, Host::A),
        vec![Closed, SynSent, Established, FinWait1]
    );
    assert_eq!(inf.at_end[0], FinWait1);
    // Every copy but the last was sent again unanswered: presumed lost.
    let lost: Vec<_> = inf
        .segments
        .iter()
        .filter(|s| s.presumed_lost)
        .map(|s| s.frame)
        .collect();
    assert_eq!(lost, vec![7, 8, 9, 10]);
    // The engine's own retransmission timer sent each copy.
    assert!(inf
        .segments
        .iter()
        .filter(|s| s.from == Host::A)
        .all(|s| s.explained));
}

#[test]
fn rst_after_data_the_server_closed_with_unread_data() {
    // The server closes (FIN); the client ACKs it and sends 50 bytes more;
    // the server's orphaned socket answers with a RST.
    let bytes = story(vec![
        (
            100_000,
            Seg {
                fin: true,
                ..seg(false, S + 101, Some(C + 101))
            },
        ),
        (100_100, seg(true, C + 101, Some(S + 102))),
        (
            150_000,
            Seg {
                len: 50,
                ..seg(true, C + 101, Some(S + 102))
            },
        ),
        (
            170_000,
            Seg {
                rst: true,
                ..seg(false, S + 102, None)
            },
        ),
    ]);
    let inf = explain_story(&bytes);
    let r = finding(&inf, FindingKind::Reset);
    assert_eq!(
        r.text,
        "RST after data: B had closed and A's data (frame 9) reached it in FIN_WAIT_2: B closed with unread data, \
         and those bytes are lost (Linux TCPAbortOnData); A went from CLOSE_WAIT to CLOSED on it, its application sees the connection reset"
    );
    assert_eq!(
        states(&inf, Host::B),
        vec![Listen, SynReceived, Established, FinWait1, FinWait2, Closed]
    );
    assert_eq!(
        states(&inf, Host::A),
        vec![Closed, SynSent, Established, CloseWait, Closed]
    );
    // B's RST is what the engine's endpoint sends there of its own accord.
    let rst = inf.segments.iter().find(|s| s.frame == 10).unwrap();
    assert!(rst.explained && rst.implies.is_none());
}

#[test]
fn fin_wait_2_ends_by_tcp_fin_timeout() {
    // The client closes at 1 s; the server ACKs; 90 s later its FIN meets a RST.
    let bytes = story(vec![
        (
            1_000_000,
            Seg {
                fin: true,
                ..seg(true, C + 101, Some(S + 101))
            },
        ),
        (1_020_000, seg(false, S + 101, Some(C + 102))),
        (
            91_000_000,
            Seg {
                fin: true,
                ..seg(false, S + 101, Some(C + 102))
            },
        ),
        (
            91_000_050,
            Seg {
                rst: true,
                ..seg(true, C + 102, None)
            },
        ),
    ]);
    let inf = explain_story(&bytes);
    let f = finding(&inf, FindingKind::FinWait2Timeout);
    assert_eq!(
        f.text,
        "B never sent its FIN: A waited in FIN_WAIT_2 for 60 s until tcp_fin_timeout; \
         B's FIN came only at +91.000000 s (frame 9)"
    );
    let a: Vec<_> = inf.changes.iter().filter(|c| c.host == Host::A).collect();
    let closed = a.iter().find(|c| c.from == FinWait2).unwrap();
    assert_eq!(
        closed.cause,
        Cause::Timer {
            timer: TimerKind::FinWait2
        }
    );
    assert_eq!(closed.certainty, Certainty::Timer);
    assert_eq!(
        closed.t_us - a.iter().find(|c| c.to == FinWait2).unwrap().t_us,
        60_000_000
    );
    let r = finding(&inf, FindingKind::Reset);
    assert!(
        r.text.starts_with("A answered B's frame 9 with a bare RST"),
        "{}",
        r.text
    );
}

/// A capture does not show when illumos's 5 s reaper runs: read as illumos,
/// TIME_WAIT is given its own 60 s, and the finding says it may end up to 5 s
/// later.
#[test]
fn an_illumos_time_wait_may_end_up_to_a_reaper_run_later() {
    let mut scenario = builtin::get("normal-close").unwrap();
    scenario.platform = farewell_engine::Platform::Solaris;
    let trace = simulate(&scenario);
    let bytes = farewell_export::pcap(&capture_at(&trace, Host::A), &scenario).unwrap();
    let (_, infs) = explain_all(&bytes, &scenario);
    let inf = &infs[0];
    let tw = inf.changes.iter().find(|c| c.to == TimeWait).unwrap();
    let end = inf.changes.iter().find(|c| c.from == TimeWait).unwrap();
    assert_eq!(end.t_us - tw.t_us, 60_000_000);
    let f = finding(inf, FindingKind::TimeWait);
    assert!(
        f.text
            .contains("it lasts 60 s (solaris's TIME_WAIT) and ends at")
            && f.text.ends_with(
                " or up to 5.0 s later (its reaper runs every 5.0 s), after the capture ended"
            ),
        "{}",
        f.text
    );
    // Read as Linux, the same capture has no reaper to mention.
    let linux = finding(&builtin_on_a("normal-close"), FindingKind::TimeWait);
    assert!(!linux.text.contains("reaper"), "{}", linux.text);
}

#[test]
fn a_normal_close_ends_in_time_wait_after_the_last_ack() {
    let bytes = story(vec![
        (
            1_000_000,
            Seg {
                fin: true,
                ..seg(true, C + 101, Some(S + 101))
            },
        ),
        (1_020_000, seg(false, S + 101, Some(C + 102))),
        (
            1_100_000,
            Seg {
                fin: true,
                ..seg(false, S + 101, Some(C + 102))
            },
        ),
        (1_100_050, seg(true, C + 102, Some(S + 102))),
    ]);
    let inf = explain_story(&bytes);
    assert_eq!(
        states(&inf, Host::A),
        vec![
            Closed,
            SynSent,
            Established,
            FinWait1,
            FinWait2,
            TimeWait,
            Closed
        ]
    );
    let tw = inf.changes.iter().find(|c| c.to == TimeWait).unwrap();
    assert_eq!(tw.cause, Cause::Received { frame: 9 });
    let end = inf.changes.iter().find(|c| c.from == TimeWait).unwrap();
    assert_eq!(end.certainty, Certainty::AfterCapture);
    assert_eq!(end.t_us - tw.t_us, 60_000_000);
    let f = finding(&inf, FindingKind::TimeWait);
    assert!(
        f.text
            .starts_with("A entered TIME_WAIT on B's FIN (frame 9) from FIN_WAIT_2; it lasts 60 s"),
        "{}",
        f.text
    );
    // B, the far side: its LAST_ACK ends when A's ACK reaches it, 10 ms on.
    let b_closed = inf
        .changes
        .iter()
        .find(|c| c.host == Host::B && c.to == Closed)
        .unwrap();
    assert_eq!(b_closed.certainty, Certainty::Inferred);
    assert_eq!(b_closed.t_us - inf.first_us, 1_100_050 + 10_000);
}

#[test]
fn duplicate_acks_are_counted() {
    // The server's first 1000 bytes are lost before the capture; the client
    // ACKs the next three segments with the same number.
    let bytes = story(vec![
        (
            200_000,
            Seg {
                len: 1000,
                ..seg(false, S + 1101, Some(C + 101))
            },
        ),
        (200_050, seg(true, C + 101, Some(S + 101))),
        (
            201_000,
            Seg {
                len: 1000,
                ..seg(false, S + 2101, Some(C + 101))
            },
        ),
        (201_050, seg(true, C + 101, Some(S + 101))),
        (
            202_000,
            Seg {
                len: 1000,
                ..seg(false, S + 3101, Some(C + 101))
            },
        ),
        (202_050, seg(true, C + 101, Some(S + 101))),
    ]);
    let inf = explain_story(&bytes);
    let f = finding(&inf, FindingKind::DuplicateAck);
    assert_eq!(f.frames, vec![8, 10, 12]);
    assert!(
        f.text.starts_with("A sent 3 duplicate ACKs for seq 101"),
        "{}",
        f.text
    );
}

#[test]
fn an_ack_for_what_the_capture_never_showed() {
    // The capture misses the server's 100 bytes; the client's ACK says it got them.
    let bytes = story(vec![
        (300_000, seg(true, C + 101, Some(S + 201))),
        (
            400_000,
            Seg {
                fin: true,
                ..seg(true, C + 101, Some(S + 201))
            },
        ),
    ]);
    let inf = explain_story(&bytes);
    assert_eq!(inf.unseen.len(), 1);
    assert_eq!(
        (inf.unseen[0].0, inf.unseen[0].2, inf.unseen[0].3),
        (Host::A, 100, false)
    );
    finding(&inf, FindingKind::Unseen);
}

// ----- bad input -----

#[test]
fn a_capture_without_tcp_is_refused_with_a_message() {
    // A UDP datagram only.
    let mut udp = Vec::new();
    etherparse::PacketBuilder::ipv4(CLIENT4, SERVER4, 64)
        .udp(5353, 53)
        .write(&mut udp, b"hi")
        .unwrap();
    let bytes = pcap(RAW, false, false, &[(0, udp)]);
    let cap = read(&bytes).unwrap();
    let err = infer(&cap, 0, &Options::default()).unwrap_err();
    assert_eq!(err, InferError::NoTcp { frames: 1 });
    assert_eq!(
        err.to_string(),
        "the capture has no TCP segments (1 frames read): nothing to explain"
    );
}

#[test]
fn a_connection_number_beyond_the_capture_is_refused() {
    let cap = read(&story(Vec::new())).unwrap();
    let err = infer(&cap, 3, &Options::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no connection 4: the capture has 1 (numbered from 1)"
    );
}

#[test]
fn only_a_syn() {
    let s = Seg {
        syn: true,
        ..seg(true, C, None)
    };
    let frames = vec![
        (0, link_frame(ETHERNET, &ip_packet(&s))),
        (1_000_000, link_frame(ETHERNET, &ip_packet(&s))),
    ];
    let cap = read(&pcap(ETHERNET, false, false, &frames)).unwrap();
    let inf = infer(&cap, 0, &Options::default()).unwrap();
    assert_eq!(inf.position.vantage, Vantage::Unknown);
    assert_eq!(inf.at_end[0], SynSent);
    let f = finding(&inf, FindingKind::Unanswered);
    assert_eq!(
        f.text,
        "A's SYN was never answered (sent 2 times): nothing listening that answers, a firewall dropping it, or the capture stopped"
    );
    // The text and the JSON lines come out without panicking.
    assert!(explain::to_text(&inf).contains("A  CLOSED       → SYN_SENT"));
    assert!(!explain::lines(&cap, &inf).is_empty());
}

#[test]
fn a_truncated_capture_is_explained_as_far_as_it_goes() {
    let bytes = story(vec![(
        1_000_000,
        Seg {
            fin: true,
            ..seg(true, C + 101, Some(S + 101))
        },
    )]);
    let cut = &bytes[..bytes.len() - 10];
    let cap = read(cut).unwrap();
    assert!(cap.cut_short);
    let inf = infer(&cap, 0, &Options::default()).unwrap();
    assert_eq!(inf.segments.len(), 6);
    assert_eq!(inf.at_end, [Established, Established]);
}

// ----- the JSON Lines contract -----

#[test]
fn json_lines_have_the_documented_shape() {
    let inf = builtin_on_a("fin-wait-2-timeout");
    let scenario = builtin::get("fin-wait-2-timeout").unwrap();
    let trace = simulate(&scenario);
    let cap =
        read(&farewell_export::pcap(&capture_at(&trace, Host::A), &scenario).unwrap()).unwrap();
    let lines = explain::lines(&cap, &inf);
    let json: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::to_value(l).unwrap())
        .collect();
    assert_eq!(json[0]["event"], "connection");
    assert_eq!(json[0]["index"], 1);
    assert_eq!(json[0]["a"], "10.0.0.1:40000");
    assert_eq!(json[0]["chosen"], true);
    assert_eq!(json[1]["event"], "position");
    assert_eq!(json[1]["vantage"], "near_a");
    assert_eq!(json[1]["platform"], "linux");
    assert_eq!(json[1]["start_a"], "ESTABLISHED");
    let states: Vec<&serde_json::Value> = json.iter().filter(|j| j["event"] == "state").collect();
    assert_eq!(states.len(), inf.changes.len());
    let timer = states.iter().find(|j| j["cause"] == "timer").unwrap();
    assert_eq!(timer["host"], "A");
    assert_eq!(timer["from"], "FIN_WAIT_2");
    assert_eq!(timer["to"], "CLOSED");
    assert_eq!(timer["timer"], "fin_wait_2");
    assert_eq!(timer["certainty"], "timer");
    let sent = states.iter().find(|j| j["cause"] == "sent").unwrap();
    assert!(sent["frame"].is_u64() && sent["rel_ms"].is_f64() && sent["t_us"].is_i64());
    let f = json
        .iter()
        .find(|j| j["event"] == "finding" && j["kind"] == "fin_wait_2_timeout")
        .unwrap();
    assert!(f["text"].as_str().unwrap().contains("tcp_fin_timeout"));
    assert!(matches!(lines.last(), Some(Line::Finding { .. })));
}

#[test]
fn a_capture_seeing_every_frame_twice_counts_each_once() {
    // `tcpdump -i any` on a router: each frame on the way in and out.
    let mut story_segs = vec![
        (
            0i64,
            Seg {
                syn: true,
                ..seg(true, C, None)
            },
        ),
        (
            20_000,
            Seg {
                syn: true,
                ..seg(false, S, Some(C + 1))
            },
        ),
        (20_050, seg(true, C + 1, Some(S + 1))),
        (
            1_000_000,
            Seg {
                fin: true,
                ..seg(true, C + 1, Some(S + 1))
            },
        ),
        (
            1_020_000,
            Seg {
                fin: true,
                ..seg(false, S + 1, Some(C + 2))
            },
        ),
        (1_020_050, seg(true, C + 2, Some(S + 2))),
    ];
    let mut w = PcapNg::new(false);
    w.interface(ETHERNET as u16, 6);
    w.interface(SLL2 as u16, 6);
    for (t, s) in story_segs.drain(..) {
        let ip = ip_packet(&s);
        w.epb(0, t as u64, &link_frame(ETHERNET, &ip));
        w.epb(1, t as u64 + 30, &link_frame(SLL2, &ip));
    }
    let inf = explain_story(&w.out);
    assert_eq!(
        states(&inf, Host::A),
        vec![Closed, SynSent, Established, FinWait1, TimeWait, Closed]
    );
    assert_eq!(
        states(&inf, Host::B),
        vec![Listen, SynReceived, Established, CloseWait, LastAck, Closed]
    );
    let dups: Vec<u32> = inf
        .segments
        .iter()
        .filter(|s| s.duplicate)
        .map(|s| s.frame)
        .collect();
    assert_eq!(dups, vec![2, 4, 6, 8, 10, 12]);
    let f = explain::findings(&inf);
    assert!(
        f.iter().all(|f| !matches!(
            f.kind,
            FindingKind::Retransmission | FindingKind::Lost | FindingKind::Unexplained
        )),
        "{f:#?}"
    );
    assert_eq!(
        f.iter()
            .filter(|f| f.kind == FindingKind::Duplicate)
            .count(),
        1
    );
}

#[test]
fn segments_seen_out_of_order_are_not_unseen() {
    // The server's second 1000 bytes overtake the first; the client's ACK
    // jumps over both once the first arrives; then the server closes.
    let bytes = story(vec![
        (
            200_000,
            Seg {
                len: 1000,
                ..seg(false, S + 1101, Some(C + 101))
            },
        ),
        (200_050, seg(true, C + 101, Some(S + 101))),
        (
            201_000,
            Seg {
                len: 1000,
                ..seg(false, S + 101, Some(C + 101))
            },
        ),
        (201_050, seg(true, C + 101, Some(S + 2101))),
        (
            300_000,
            Seg {
                fin: true,
                ..seg(false, S + 2101, Some(C + 101))
            },
        ),
        (300_050, seg(true, C + 101, Some(S + 2102))),
    ]);
    let inf = explain_story(&bytes);
    assert!(inf.unseen.is_empty(), "{:?}", inf.unseen);
    assert_eq!(
        states(&inf, Host::A),
        vec![Closed, SynSent, Established, CloseWait]
    );
    let f = explain::findings(&inf);
    assert!(f.iter().all(|f| f.kind != FindingKind::Unseen), "{f:#?}");
}

#[test]
fn every_builtin_on_every_platform_infers_the_traces_states() {
    let mut found = 0;
    for id in builtin::ids() {
        for platform in farewell_engine::Platform::ALL {
            let mut scenario = builtin::get(id).unwrap();
            scenario.platform = platform;
            let trace = simulate(&scenario);
            let ctx = format!("{id} on {platform}");
            for at in Host::BOTH {
                let bytes = farewell_export::pcap(&capture_at(&trace, at), &scenario).unwrap();
                let (_, infs) = explain_all(&bytes, &scenario);
                // The capture host's times are exact once the capture point
                // is found.
                check(
                    &format!("{ctx} captured on {at}"),
                    &trace,
                    &infs,
                    |inf, h| {
                        let near = match label(inf, at) {
                            Host::A => Vantage::NearA,
                            Host::B => Vantage::NearB,
                        };
                        (h == at && inf.position.vantage == near).then_some(0.5)
                    },
                );
                // And once it is found, every segment the capture host sends
                // is one the engine sends there. (A peer that never answers at
                // once, as Windows' and Solaris' delayed ACKs without quickack,
                // makes the capture point look farther from it than it is.)
                for inf in infs.iter().filter(|inf| {
                    let near = match label(inf, at) {
                        Host::A => Vantage::NearA,
                        Host::B => Vantage::NearB,
                    };
                    inf.position.vantage == near
                }) {
                    found += 1;
                    let odd: Vec<_> = inf
                        .segments
                        .iter()
                        .filter(|s| !s.explained && s.from == label(inf, at))
                        .map(|s| s.frame)
                        .collect();
                    assert!(
                        odd.is_empty(),
                        "{ctx} captured on {at}: frames {odd:?} unexplained"
                    );
                }
            }
        }
    }
    // Of 14 built-ins × 6 platforms × 2 hosts (some with 2 connections).
    assert!(
        found >= 120,
        "the capture point was found in only {found} captures"
    );
}

/// The real `tcpdump -i any` capture taken on A (crates/cli/tests/pcaps,
/// recorded by its record.sh), with each frame's SLL2 packet type (byte 10
/// of the link header) passed through `retype`.
fn any_sll2_retyped(retype: impl Fn(usize, u8) -> u8) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cli/tests/pcaps/any-sll2.pcap"
    );
    let mut bytes = std::fs::read(path).unwrap();
    assert_eq!(
        &bytes[..4],
        &[0xd4, 0xc3, 0xb2, 0xa1],
        "a little-endian pcap"
    );
    let (mut at, mut frame) = (24, 0);
    while at + 16 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        bytes[at + 16 + 10] = retype(frame, bytes[at + 16 + 10]);
        at += 16 + len;
        frame += 1;
    }
    assert_eq!(frame, 9);
    bytes
}

#[test]
fn sll2_packet_types_say_which_host_the_capture_was_taken_on() {
    use farewell_capture::Direction;
    // As recorded, on A: A's frames outgoing (4), B's incoming (0). The
    // veth pair has no delay, so the answer gaps alone cannot tell.
    let cap = read(&any_sll2_retyped(|_, t| t)).unwrap();
    let c = &cap.connections[0];
    for &i in &c.packets {
        let p = &cap.packets[i as usize];
        let want = if p.src == c.a {
            Direction::Outgoing
        } else {
            Direction::Incoming
        };
        assert_eq!(p.direction, Some(want), "frame {}", p.frame);
    }
    let inf = infer(&cap, 0, &Options::default()).unwrap();
    assert_eq!(inf.position.vantage, Vantage::NearA);
    assert!(inf.position.by_packet_type);
    assert_eq!(inf.position.to_a_us, 0);
    assert!(explain::vantage_text(&inf).starts_with("capture point: on A (its link-layer headers"));
    // A's states are seen (the capture host's), B's inferred.
    for ch in &inf.changes {
        let want = match ch.host {
            Host::A => Certainty::Seen,
            Host::B => Certainty::Inferred,
        };
        if !matches!(ch.certainty, Certainty::Timer | Certainty::AfterCapture) {
            assert_eq!(ch.certainty, want, "{ch:?}");
        }
    }
    assert_eq!(
        states(&inf, Host::A),
        vec![
            Closed,
            SynSent,
            Established,
            FinWait1,
            FinWait2,
            TimeWait,
            Closed
        ]
    );

    // The same frames as B's kernel would have typed them: on B.
    let mirrored = read(&any_sll2_retyped(|_, t| if t == 4 { 0 } else { 4 })).unwrap();
    let inf = infer(&mirrored, 0, &Options::default()).unwrap();
    assert_eq!(inf.position.vantage, Vantage::NearB);
    assert!(inf.position.by_packet_type);
    assert_eq!(inf.position.to_b_us, 0);
    assert!(explain::vantage_text(&inf).starts_with("capture point: on B"));

    // One frame contradicting the rest (as a router's `-i any` sees a
    // forwarded frame both come in and go out), or another host's (3): the
    // packet types say nothing, and the gaps decide as before.
    for (what, odd) in [("flipped", None), ("another host's", Some(3))] {
        let cap = read(&any_sll2_retyped(|f, t| match f {
            4 => odd.unwrap_or(t ^ 4),
            _ => t,
        }))
        .unwrap();
        let inf = infer(&cap, 0, &Options::default()).unwrap();
        assert!(!inf.position.by_packet_type, "frame 5 {what}");
    }
}
