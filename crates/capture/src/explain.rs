//! What went wrong, in plain words: findings (retransmissions, duplicate ACKs,
//! resets, FIN_WAIT_2 and TIME_WAIT, lost and unseen segments) drawn from an
//! [`Inference`], and the text and JSON Lines that `farewell explain` prints.
//!
//! Everything a reader is told lives here, natively tested; the CLI (and later
//! the page) only prints it.

use crate::infer::{Cause, Certainty, Inference, SegmentView, StateChange, Vantage};
use crate::Capture;
use farewell_engine::trace::{AppCall, TimerKind};
use farewell_engine::{Flags, Host, Platform, TcpState};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Who closed first, and how the other side answered.
    Close,
    /// A segment sent more than once, with the gaps between the copies.
    Retransmission,
    DuplicateAck,
    /// A RST: why it was sent and what it did to the peer.
    Reset,
    /// A side left FIN_WAIT_2 by its timer, the peer's FIN never having come.
    #[serde(rename = "fin_wait_2_timeout")]
    FinWait2Timeout,
    /// The capture ends with a side in FIN_WAIT_2.
    #[serde(rename = "fin_wait_2_open")]
    FinWait2Open,
    TimeWait,
    /// A retransmitted FIN restarted TIME_WAIT.
    TimeWaitRestarted,
    /// An ACK presumed lost.
    Lost,
    /// Bytes (or a FIN) acknowledged that the capture never showed.
    Unseen,
    /// A SYN with no answer.
    Unanswered,
    /// Segments the engine's model would not send there.
    Unexplained,
    /// Segments seen twice at once (counted once).
    Duplicate,
    /// A new connection on a 4-tuple whose previous one was still in
    /// TIME_WAIT on one side.
    Reconnect,
}

/// One thing the narration says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub host: Host,
    /// On the capture's clock (µs since the Unix epoch).
    pub t_us: i64,
    pub frames: Vec<u32>,
    pub text: String,
}

/// `1.2 s`, `240 ms`, `0.4 ms`.
pub fn duration(us: i64) -> String {
    let us = us.max(0);
    if us >= 10_000_000 {
        format!("{:.0} s", us as f64 / 1e6)
    } else if us >= 1_000_000 {
        format!("{:.1} s", us as f64 / 1e6)
    } else if us >= 10_000 {
        format!("{:.0} ms", us as f64 / 1e3)
    } else {
        format!("{:.1} ms", us as f64 / 1e3)
    }
}

/// `+1.234567 s` from the connection's first frame.
fn at(inf: &Inference, t_us: i64) -> String {
    let d = t_us.saturating_sub(inf.first_us);
    let sign = if d < 0 { "-" } else { "+" };
    let d = d.unsigned_abs();
    format!("{sign}{}.{:06} s", d / 1_000_000, d % 1_000_000)
}

fn fin_timeout_name(p: Platform) -> &'static str {
    match p {
        Platform::Linux => "tcp_fin_timeout",
        Platform::Macos => "net.inet.tcp.fin_timeout",
        _ => "its FIN_WAIT_2 timer",
    }
}

fn what(s: &SegmentView) -> String {
    let f = s.flags;
    if f.contains(Flags::SYN) {
        if f.contains(Flags::ACK) {
            "SYN-ACK"
        } else {
            "SYN"
        }
        .to_string()
    } else if f.contains(Flags::FIN) && s.len > 0 {
        format!("FIN (with {} bytes)", s.len)
    } else if f.contains(Flags::FIN) {
        "FIN".to_string()
    } else {
        format!("{} bytes of data (seq {})", s.len, s.seq)
    }
}

fn seg_len(s: &SegmentView) -> u32 {
    s.len + u32::from(s.flags.contains(Flags::SYN)) + u32::from(s.flags.contains(Flags::FIN))
}

fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// The state `host` was in just before `t_us`, not counting changes caused
/// by `frame` itself.
fn state_before(inf: &Inference, host: Host, t_us: i64, frame: u32) -> TcpState {
    inf.changes
        .iter()
        .rev()
        .filter(|c| c.host == host && c.t_us <= t_us)
        .find(|c| !matches!(c.cause, Cause::Sent { frame: f } | Cause::Received { frame: f } if f == frame))
        .map_or(inf.start[host.index()], |c| c.to)
}

fn change_by(inf: &Inference, host: Host, cause: Cause) -> Option<&StateChange> {
    inf.changes
        .iter()
        .find(|c| c.host == host && c.cause == cause)
}

/// The findings, in time order.
pub fn findings(inf: &Inference) -> Vec<Finding> {
    let mut out = Vec::new();
    let segs = &inf.segments;
    let push = |out: &mut Vec<Finding>, kind, host, t_us, frames, text| {
        out.push(Finding {
            kind,
            host,
            t_us,
            frames,
            text,
        })
    };

    // Who closed first.
    if let Some(first) = segs.iter().find(|s| s.flags.contains(Flags::FIN)) {
        let x = first.from;
        let y = x.peer();
        let crossed = inf
            .changes
            .iter()
            .filter(|c| c.to == TcpState::Closing)
            .count()
            == 2;
        let answer = segs
            .iter()
            .find(|s| s.from == y && s.flags.contains(Flags::FIN));
        let text = if crossed {
            "both sides closed at once: the FINs crossed, so each went FIN_WAIT_1 → CLOSING → TIME_WAIT (a simultaneous close, RFC 9293 §3.6)".to_string()
        } else {
            let mut t = format!(
                "{x} closed first (its FIN, frame {}, at {}): the active close, so {x} is the side that ends in TIME_WAIT if all goes well",
                first.frame,
                at(inf, first.t_us)
            );
            let fin_end = first.seq.wrapping_add(seg_len(first));
            let acked_before = |a: &SegmentView| {
                segs.iter().any(|s| {
                    s.from == y
                        && s.frame > first.frame
                        && s.frame < a.frame
                        && s.ack == Some(fin_end)
                })
            };
            match answer {
                Some(a) if a.ack == Some(fin_end) && !acked_before(a) => {
                    let _ = write!(
                        t,
                        "; {y}'s FIN (frame {}) carried the ACK of it, {} later: a 3-segment close",
                        a.frame,
                        duration(a.t_us.saturating_sub(first.t_us))
                    );
                }
                Some(a) => {
                    let _ = write!(
                        t,
                        "; {y} sent its FIN (frame {}) {} later",
                        a.frame,
                        duration(a.t_us.saturating_sub(first.t_us))
                    );
                }
                None => {}
            }
            t
        };
        push(
            &mut out,
            FindingKind::Close,
            x,
            first.t_us,
            vec![first.frame],
            text,
        );
    }

    // Unanswered SYN.
    if let Some(syn) = segs
        .iter()
        .find(|s| s.flags.contains(Flags::SYN) && !s.flags.contains(Flags::ACK))
    {
        let y = syn.from.peer();
        if !segs.iter().any(|s| s.from == y) {
            let copies: Vec<u32> = segs
                .iter()
                .filter(|s| s.from == syn.from && s.flags.contains(Flags::SYN))
                .map(|s| s.frame)
                .collect();
            push(
                &mut out,
                FindingKind::Unanswered,
                syn.from,
                syn.t_us,
                copies.clone(),
                format!(
                    "{}'s SYN was never answered (sent {}): nothing listening that answers, a firewall dropping it, or the capture stopped",
                    syn.from,
                    if copies.len() == 1 { "once".to_string() } else { format!("{} times", copies.len()) }
                ),
            );
        }
    }

    reconnected(inf, &mut out);
    retransmissions(inf, &mut out);
    duplicate_acks(inf, &mut out);
    resets(inf, &mut out);
    fin_wait_2(inf, &mut out);
    time_wait(inf, &mut out);

    // ACKs presumed lost (data, FIN and SYN are covered by their retransmissions).
    for s in segs.iter().filter(|s| s.presumed_lost && seg_len(s) == 0) {
        let y = s.from.peer();
        push(
            &mut out,
            FindingKind::Lost,
            s.from,
            s.t_us,
            vec![s.frame],
            format!(
                "{}'s ACK (frame {}) never reached {y}: {y} sent again what it acknowledged",
                s.from, s.frame
            ),
        );
    }
    for &(host, t_us, bytes, fin) in &inf.unseen {
        let what = match (bytes, fin) {
            (0, _) => "a FIN".to_string(),
            (b, true) => format!("{b} bytes and a FIN"),
            (b, false) => format!("{b} bytes"),
        };
        push(
            &mut out,
            FindingKind::Unseen,
            host,
            t_us,
            Vec::new(),
            format!(
                "{host} acknowledged {what} from {} that the capture never showed: lost before the capture point, sent before the capture started, or an old duplicate",
                host.peer()
            ),
        );
    }
    let dups: Vec<&SegmentView> = segs.iter().filter(|s| s.duplicate).collect();
    if let Some(first) = dups.first() {
        push(
            &mut out,
            FindingKind::Duplicate,
            first.from,
            first.t_us,
            dups.iter().map(|s| s.frame).collect(),
            if dups.len() == 1 {
                format!(
                    "frame {} repeats the segment before it at once: the capture saw it twice (tcpdump -i any shows a forwarded packet on each interface) or the network duplicated it; it is counted once",
                    first.frame
                )
            } else {
                format!(
                    "{} frames (the first is frame {}) repeat the segment before them at once: the capture saw them twice (tcpdump -i any shows a forwarded packet on each interface) or the network duplicated them; each is counted once",
                    dups.len(),
                    first.frame
                )
            },
        );
    }
    let odd: Vec<&SegmentView> = segs
        .iter()
        .filter(|s| {
            !s.duplicate && !s.explained && (seg_len(s) > 0 || s.flags.contains(Flags::RST))
        })
        .collect();
    if let Some(first) = odd.first() {
        let list: Vec<String> = odd.iter().take(5).map(|s| s.frame.to_string()).collect();
        let more = if odd.len() > 5 {
            format!(" and {} more", odd.len() - 5)
        } else {
            String::new()
        };
        push(
            &mut out,
            FindingKind::Unexplained,
            first.from,
            first.t_us,
            odd.iter().map(|s| s.frame).collect(),
            format!(
                "frame{} {}{more} {} not what the {} model sends there: the host behaves differently, or the capture misses something",
                if odd.len() == 1 { "" } else { "s" },
                list.join(", "),
                if odd.len() == 1 { "is" } else { "are" },
                inf.platform
            ),
        );
    }
    out.sort_by_key(|f| f.t_us);
    out
}

/// At most this many retransmitted segments are narrated one by one.
const RETRANSMISSIONS_NARRATED: usize = 12;

fn retransmissions(inf: &Inference, out: &mut Vec<Finding>) {
    let segs = &inf.segments;
    let mut groups: HashMap<(Host, u32), Vec<usize>> = HashMap::new();
    let mut order = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        if seg_len(s) == 0 || s.flags.contains(Flags::RST) || s.duplicate {
            continue;
        }
        let copies = groups.entry((s.from, s.seq)).or_default();
        if copies.is_empty() {
            order.push((s.from, s.seq));
        }
        copies.push(i);
    }
    let resent: Vec<&Vec<usize>> = order
        .iter()
        .map(|k| &groups[k])
        .filter(|c| c.len() >= 2)
        .collect();
    if resent.len() > RETRANSMISSIONS_NARRATED {
        let rest = &resent[RETRANSMISSIONS_NARRATED..];
        let first = &segs[rest[0][0]];
        out.push(Finding {
            kind: FindingKind::Retransmission,
            host: first.from,
            t_us: first.t_us,
            frames: rest.iter().map(|c| segs[c[0]].frame).collect(),
            text: format!(
                "{} more segments were retransmitted (the first copies are listed in this finding's frames)",
                rest.len()
            ),
        });
    }
    for copies in resent.into_iter().take(RETRANSMISSIONS_NARRATED) {
        let i = copies[0];
        let s = &segs[i];
        let (x, y) = (s.from, s.from.peer());
        let last = &segs[*copies.last().unwrap_or(&i)];
        let gaps: Vec<i64> = copies
            .windows(2)
            .map(|w| segs[w[1]].t_us.saturating_sub(segs[w[0]].t_us))
            .collect();
        let doubling =
            |g: &[i64]| g.len() >= 2 && g.windows(2).all(|w| w[1] as f64 >= 1.5 * w[0] as f64);
        let pattern = if doubling(&gaps) {
            " (doubling gaps: exponential backoff, RFC 6298 §5.5)"
        } else if gaps.len() >= 3 && doubling(&gaps[1..]) {
            " (a tail loss probe first, RFC 8985, then doubling gaps: exponential backoff)"
        } else {
            ""
        };
        let end = s.seq.wrapping_add(seg_len(s));
        let last_i = *copies.last().unwrap_or(&i);
        let answer = segs[last_i..]
            .iter()
            .take(4096)
            .find(|t| t.from == y && t.ack.is_some_and(|a| !seq_lt(a, end)));
        let n = copies.len() - 1;
        // Every copy acknowledges more than the one before: the stack repeats
        // the segment on its ACKs (FreeBSD, while its FIN is unacknowledged).
        let riding = copies.windows(2).all(|w| {
            let (a, b) = (segs[w[0]].ack, segs[w[1]].ack);
            matches!((a, b), (Some(a), Some(b)) if seq_lt(a, b))
        });
        if riding {
            out.push(Finding {
                kind: FindingKind::Retransmission,
                host: x,
                t_us: s.t_us,
                frames: copies.iter().map(|&j| segs[j].frame).collect(),
                text: format!(
                    "{x} sent its {} (frame {}) again on its ACK{} of {y}'s later segments (frame{} {}): a stack that repeats an unacknowledged FIN on every ACK (FreeBSD does), not a timeout",
                    what(s),
                    s.frame,
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "" } else { "s" },
                    copies[1..].iter().map(|&j| segs[j].frame.to_string()).collect::<Vec<_>>().join(", ")
                ),
            });
            continue;
        }
        let mut text = format!(
            "{x}'s {} (frame {}) was retransmitted {} after {}{pattern}",
            what(s),
            s.frame,
            if n == 1 {
                "once".to_string()
            } else {
                format!("{n} times")
            },
            gaps.iter()
                .map(|&g| duration(g))
                .collect::<Vec<_>>()
                .join(", "),
        );
        let lost = copies.iter().filter(|&&j| segs[j].presumed_lost).count();
        match answer {
            Some(a) => {
                if lost > 0 {
                    let _ = write!(
                        text,
                        "; {} never reached {y} (or {y}'s ACK was lost); {y} acknowledged the next (frame {})",
                        if lost == 1 { "the first copy".to_string() } else { format!("the first {lost} copies") },
                        a.frame
                    );
                } else {
                    let _ = write!(text, "; {y} acknowledged it (frame {})", a.frame);
                }
            }
            None if segs.iter().any(|t| t.from == y && t.t_us > last.t_us) => {
                let _ = write!(text, "; {y} never acknowledged it");
            }
            None => {
                let _ = write!(
                    text,
                    "; {y} never answered: the peer was gone or unreachable"
                );
            }
        }
        out.push(Finding {
            kind: FindingKind::Retransmission,
            host: x,
            t_us: s.t_us,
            frames: copies.iter().map(|&j| segs[j].frame).collect(),
            text,
        });
    }
}

fn duplicate_acks(inf: &Inference, out: &mut Vec<Finding>) {
    let segs = &inf.segments;
    let mut i = 0;
    while i < segs.len() {
        if !segs[i].duplicate_ack {
            i += 1;
            continue;
        }
        let s = &segs[i];
        let run: Vec<&SegmentView> = segs[i..]
            .iter()
            .filter(|t| t.from == s.from)
            .take_while(|t| t.duplicate_ack && t.ack == s.ack)
            .collect();
        let frames: Vec<u32> = run.iter().map(|t| t.frame).collect();
        let last_frame = *frames.last().unwrap_or(&s.frame);
        out.push(Finding {
            kind: FindingKind::DuplicateAck,
            host: s.from,
            t_us: s.t_us,
            text: format!(
                "{} sent {} duplicate ACK{} for seq {} (frame{} {}): {}'s segment at {} was lost or reordered{}",
                s.from,
                run.len(),
                if run.len() == 1 { "" } else { "s" },
                s.ack.unwrap_or(0),
                if run.len() == 1 { "" } else { "s" },
                frames.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                s.from.peer(),
                s.ack.unwrap_or(0),
                if run.len() >= 3 { " (three are the fast-retransmit signal, RFC 5681 §3.2)" } else { "" },
            ),
            frames,
        });
        i = segs
            .iter()
            .position(|t| t.frame == last_frame)
            .map_or(i + 1, |p| p + 1);
    }
}

fn resets(inf: &Inference, out: &mut Vec<Finding>) {
    let segs = &inf.segments;
    for r in segs.iter().filter(|s| s.flags.contains(Flags::RST)) {
        let (x, y) = (r.from, r.from.peer());
        let data_from_y = segs
            .iter()
            .any(|s| s.from == y && s.len > 0 && s.t_us <= r.t_us);
        let before = state_before(inf, x, r.t_us, r.frame);
        let mut text = if r.implies == Some(AppCall::Abort) {
            if data_from_y {
                format!(
                    "RST after data, instead of a FIN: {x} closed with unread data from {y} (RFC 2525 §2.17, Linux __tcp_close), or aborted with SO_LINGER 0"
                )
            } else {
                format!(
                    "{x} aborted the connection: a RST instead of a FIN (close() with SO_LINGER {{1, 0}}), so no TIME_WAIT"
                )
            }
        } else if let Some(c) = inf.changes.iter().find(|c| {
            c.host == x
                && c.to == TcpState::Closed
                && matches!(c.cause, Cause::Received { frame } if segs.iter().any(|s| s.frame == frame && s.from == y && s.len > 0))
                && c.t_us <= r.t_us
                && c.from.fin_sent()
        }) {
            let frame = match c.cause {
                Cause::Received { frame } => frame,
                _ => 0,
            };
            format!(
                "RST after data: {x} had closed and {y}'s data (frame {frame}) reached it in {}: {x} closed with unread data, and those bytes are lost (Linux TCPAbortOnData)",
                c.from
            )
        } else if before == TcpState::Closed || before == TcpState::Listen {
            let had = inf.changes.iter().any(|c| c.host == x && c.t_us <= r.t_us && c.from.synchronized());
            let why = inf
                .changes
                .iter()
                .rev()
                .find(|c| c.host == x && c.to == TcpState::Closed && c.t_us <= r.t_us)
                .map(|c| match (c.from, c.cause) {
                    (TcpState::FinWait2, Cause::Timer { .. }) => " (its FIN_WAIT_2 had timed out)",
                    (TcpState::TimeWait, Cause::Timer { .. }) => " (its TIME_WAIT was over)",
                    _ => "",
                })
                .unwrap_or("");
            let trigger = segs
                .iter()
                .rev()
                .find(|s| s.from == y && s.t_us <= r.t_us)
                .map_or(String::new(), |s| format!(" {}'s frame {}", y, s.frame));
            if had {
                format!("{x} answered{trigger} with a bare RST: it no longer had the connection{why}")
            } else {
                format!(
                    "{x} answered{trigger} with a RST: no connection there (connection refused, or a segment for a connection {x} never had)"
                )
            }
        } else {
            format!("{x} sent a RST from {before}")
        };
        if let Some(c) = change_by(inf, y, Cause::Received { frame: r.frame }) {
            if c.from == TcpState::TimeWait {
                let _ = write!(
                    text,
                    "; it cut {y}'s TIME_WAIT short (TIME_WAIT assassination, RFC 1337)"
                );
            } else if c.to == TcpState::Closed {
                let _ = write!(
                    text,
                    "; {y} went from {} to CLOSED on it, its application sees the connection reset",
                    c.from
                );
            }
        } else if !r.presumed_lost
            && state_before(
                inf,
                y,
                r.t_us
                    .saturating_add(2 * inf.position.to_a_us.max(inf.position.to_b_us) + 1),
                0,
            ) == TcpState::TimeWait
        {
            let _ = write!(text, "; {y} ignored it in TIME_WAIT (RFC 1337 protection)");
        }
        out.push(Finding {
            kind: FindingKind::Reset,
            host: x,
            t_us: r.t_us,
            frames: vec![r.frame],
            text,
        });
    }
}

fn fin_wait_2(inf: &Inference, out: &mut Vec<Finding>) {
    for host in Host::BOTH {
        let mut entered = None;
        for c in inf.changes.iter().filter(|c| c.host == host) {
            if c.to == TcpState::FinWait2 {
                entered = Some(c.t_us);
            }
            if c.from == TcpState::FinWait2 {
                if let (
                    Some(t0),
                    Cause::Timer {
                        timer: TimerKind::FinWait2,
                    },
                ) = (entered, c.cause)
                {
                    let name = fin_timeout_name(inf.platform);
                    let text = if c.certainty == Certainty::AfterCapture {
                        format!(
                            "{} had not sent its FIN when the capture ended: {host} sits in FIN_WAIT_2, and {name} removes it {} after it entered (at {})",
                            host.peer(),
                            duration(c.t_us.saturating_sub(t0)),
                            at(inf, c.t_us)
                        )
                    } else {
                        let late = inf
                            .segments
                            .iter()
                            .find(|s| {
                                s.from == host.peer()
                                    && s.flags.contains(Flags::FIN)
                                    && s.t_us >= c.t_us
                            })
                            .map_or(String::new(), |s| {
                                format!(
                                    "; {}'s FIN came only at {} (frame {})",
                                    host.peer(),
                                    at(inf, s.t_us),
                                    s.frame
                                )
                            });
                        format!(
                            "{} never sent its FIN: {host} waited in FIN_WAIT_2 for {} until {name}{late}",
                            host.peer(),
                            duration(c.t_us.saturating_sub(t0))
                        )
                    };
                    out.push(Finding {
                        kind: FindingKind::FinWait2Timeout,
                        host,
                        t_us: t0,
                        frames: Vec::new(),
                        text,
                    });
                }
                entered = None;
            }
        }
        if let Some(t0) = entered {
            out.push(Finding {
                kind: FindingKind::FinWait2Open,
                host,
                t_us: t0,
                frames: Vec::new(),
                text: format!(
                    "{host} was still in FIN_WAIT_2 when the capture ended ({} after it entered): {} had not sent its FIN, and {host}'s application only shut down its sending side, so no timer ends it",
                    duration(inf.last_us.saturating_sub(t0)),
                    host.peer()
                ),
            });
        }
    }
}

/// This connection began while the 4-tuple's previous one was still in
/// TIME_WAIT on one side (module [`crate::reconnect`]).
fn reconnected(inf: &Inference, out: &mut Vec<Finding>) {
    let Some(r) = inf.reconnect else {
        return;
    };
    let Some(syn) = inf.segments.iter().find(|s| s.flags.contains(Flags::SYN)) else {
        return;
    };
    let h = r.time_wait_holder;
    let prev = r.previous + 1;
    let gap = duration(r.gap_us);
    let isn = if r.isn_from_time_wait {
        format!(
            "; {h}'s new ISN is its old SND.NXT + 65537, the mark of a connection \
             that replaced a TIME_WAIT"
        )
    } else {
        format!(
            "; {h}'s new ISN does not continue the old numbering (+65537), so its \
             TIME_WAIT may have been gone already (tcp_max_tw_buckets, or a stack \
             that numbers differently)"
        )
    };
    let text = if h == Host::A {
        format!(
            "A connected again from the same port {gap} after connection {prev} on \
             this 4-tuple ended, while A, which closed that one first, still held \
             it in TIME_WAIT: the connect() took its own TIME_WAIT over, which \
             Linux allows for an explicitly bound port once timestamps were seen, \
             or with tcp_tw_reuse (tcp_twsk_unique){isn}"
        )
    } else {
        format!(
            "A's SYN reached B {gap} after connection {prev} on this 4-tuple ended, \
             while B, which closed that one first, still held it in TIME_WAIT: B \
             took the SYN as a new connection, as Linux does when it is newer than \
             the old connection (its timestamp, or its sequence number; RFC 6191, \
             tcp_timewait_state_process){isn}"
        )
    };
    out.push(Finding {
        kind: FindingKind::Reconnect,
        host: h,
        t_us: syn.t_us,
        frames: vec![syn.frame],
        text,
    });
}

fn time_wait(inf: &Inference, out: &mut Vec<Finding>) {
    for host in Host::BOTH {
        let mine: Vec<&StateChange> = inf.changes.iter().filter(|c| c.host == host).collect();
        for (k, c) in mine.iter().enumerate() {
            if c.to != TcpState::TimeWait {
                continue;
            }
            let on = match c.cause {
                Cause::Received { frame } => format!(" on {}'s FIN (frame {frame})", host.peer()),
                _ => String::new(),
            };
            let exit = mine[k + 1..].iter().find(|e| e.from == TcpState::TimeWait);
            let end = match exit {
                Some(e) if matches!(e.cause, Cause::Timer { .. }) => {
                    format!(
                        "; it lasts {} ({}'s TIME_WAIT) and ends at {}{}{}",
                        duration(e.t_us.saturating_sub(c.t_us)),
                        inf.platform,
                        at(inf, e.t_us),
                        reaper(inf),
                        if e.certainty == Certainty::AfterCapture {
                            ", after the capture ended"
                        } else {
                            ""
                        }
                    )
                }
                Some(e) => format!(
                    ", which a RST ended {} later",
                    duration(e.t_us.saturating_sub(c.t_us))
                ),
                None => String::new(),
            };
            out.push(Finding {
                kind: FindingKind::TimeWait,
                host,
                t_us: c.t_us,
                frames: Vec::new(),
                text: format!("{host} entered TIME_WAIT{on} from {}{end}", c.from),
            });
        }
    }
    for &(host, t_us) in &inf.time_wait_restarts {
        out.push(Finding {
            kind: FindingKind::TimeWaitRestarted,
            host,
            t_us,
            frames: Vec::new(),
            text: format!(
                "{}'s FIN came again, so {host}'s ACK of it was lost: {host} acknowledged it once more and restarted TIME_WAIT (RFC 9293 §3.10.7.4): this is what TIME_WAIT is for",
                host.peer()
            ),
        });
    }
}

/// Where the platform ends TIME_WAIT in batches (illumos's reaper,
/// `Profile::time_wait_granularity`), how much later it may really end: the
/// capture does not show when the reaper runs.
fn reaper(inf: &Inference) -> String {
    inf.platform
        .profile()
        .time_wait_granularity
        .map_or_else(String::new, |g| {
            let g = duration(i64::try_from(g.as_micros()).unwrap_or(i64::MAX));
            format!(" or up to {g} later (its reaper runs every {g})")
        })
}

/// The narration: the findings' sentences, in time order.
pub fn narration(inf: &Inference) -> Vec<String> {
    findings(inf).into_iter().map(|f| f.text).collect()
}

/// Where the capture was taken, with the answer gaps that say so.
pub fn vantage_text(inf: &Inference) -> String {
    let p = &inf.position;
    let turn = |t: Option<i64>| t.map_or("never timed".to_string(), duration);
    let place = match p.vantage {
        Vantage::NearA if p.by_packet_type => {
            "on A (its link-layer headers mark A's frames outgoing, B's incoming)".to_string()
        }
        Vantage::NearB if p.by_packet_type => {
            "on B (its link-layer headers mark B's frames outgoing, A's incoming)".to_string()
        }
        Vantage::NearA => "near A".to_string(),
        Vantage::NearB => "near B".to_string(),
        Vantage::Between => format!(
            "between the hosts, {} from A and {} from B",
            duration(p.to_a_us),
            duration(p.to_b_us)
        ),
        Vantage::Unknown => match (p.a_turnaround_us, p.b_turnaround_us) {
            (None, None) | (Some(_), Some(_)) => "unknown (no segment was answered)".to_string(),
            (Some(_), None) => {
                "unknown (only A's answers could be timed: taken to be near B)".to_string()
            }
            (None, Some(_)) => {
                "unknown (only B's answers could be timed: taken to be near A)".to_string()
            }
        },
    };
    format!(
        "capture point: {place} (A answered after {}, B after {}; RTT {})",
        turn(p.a_turnaround_us),
        turn(p.b_turnaround_us),
        duration(p.rtt_us())
    )
}

/// The list of connections, the chosen one marked `*`.
pub fn connections_text(capture: &Capture, chosen: usize) -> String {
    let mut out = format!("connections ({}):\n", capture.connections.len());
    for (i, c) in capture.connections.iter().enumerate() {
        let end = match (c.has_fin, c.has_rst) {
            (true, true) => "FIN RST",
            (true, false) => "FIN",
            (false, true) => "RST",
            (false, false) => "",
        };
        let _ = writeln!(
            out,
            "{} {:>3}  {} → {}  #{}  {} frames  {end}",
            if i == chosen { "*" } else { " " },
            i + 1,
            c.a,
            c.b,
            c.incarnation,
            c.packets.len()
        );
    }
    out
}

/// `farewell explain`'s text: the connection, the capture point, the states
/// per side with times, and the narration.
pub fn to_text(inf: &Inference) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "connection {}: A = {}, B = {} (incarnation {}), {} frames over {}",
        inf.connection + 1,
        inf.a,
        inf.b,
        inf.incarnation,
        inf.segments.len(),
        duration(inf.last_us.saturating_sub(inf.first_us))
    );
    let _ = writeln!(out, "{}", vantage_text(inf));
    let _ = writeln!(
        out,
        "assumed stack: {} (the timers a capture cannot show come from it)",
        inf.platform
    );
    let _ = writeln!(
        out,
        "\nstates ({} at the start: A {}, B {}; ~ estimated time, * a timer of the assumed stack, > after the capture ended):",
        if inf.start == [TcpState::Established; 2] { "assumed" } else { "seen" },
        inf.start[0],
        inf.start[1]
    );
    for c in &inf.changes {
        let mark = match c.certainty {
            Certainty::Seen => ' ',
            Certainty::Inferred => '~',
            Certainty::Timer => '*',
            Certainty::AfterCapture => '>',
        };
        let why = match c.cause {
            Cause::Sent { frame } => format!("sent frame {frame}"),
            Cause::Received { frame } => format!("received frame {frame}"),
            Cause::Timer { timer } => format!("{} expired", timer.label()),
            Cause::Unseen => "received what the capture did not show".to_string(),
            Cause::Reassembled => "received data seen out of order".to_string(),
        };
        let _ = writeln!(
            out,
            " {mark}{:>15}  {}  {:<12} → {:<12} {why}",
            at(inf, c.t_us),
            c.host,
            c.from.rfc_name(),
            c.to.rfc_name()
        );
    }
    let _ = writeln!(
        out,
        "at the last frame: A {}, B {}",
        inf.at_end[0], inf.at_end[1]
    );
    let _ = writeln!(out, "\nwhat happened:");
    let f = findings(inf);
    if f.is_empty() {
        let _ = writeln!(out, "  nothing to report: no FIN, RST or retransmission");
    }
    for f in f {
        let _ = writeln!(out, "  - {}", f.text);
    }
    out
}

/// One line of `farewell explain --format jsonl` (the README documents it as
/// a contract).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Line {
    /// One per connection in the capture.
    Connection {
        /// 1-based, as `--conn` takes it.
        index: usize,
        a: String,
        b: String,
        incarnation: u32,
        frames: usize,
        fin: bool,
        rst: bool,
        /// The one explained below.
        chosen: bool,
    },
    /// Where the capture was taken, and the stack assumed.
    Position {
        vantage: Vantage,
        a_turnaround_us: Option<i64>,
        b_turnaround_us: Option<i64>,
        to_a_us: i64,
        to_b_us: i64,
        rtt_us: i64,
        /// The capture host read from the link layer's packet types.
        by_packet_type: bool,
        platform: Platform,
        start_a: TcpState,
        start_b: TcpState,
    },
    /// One inferred state change.
    State {
        #[serde(flatten)]
        change: StateChange,
        /// Milliseconds since the connection's first frame.
        rel_ms: f64,
    },
    /// One narrated finding.
    Finding {
        #[serde(flatten)]
        finding: Finding,
        rel_ms: f64,
    },
}

/// The JSON Lines objects for a capture and the explained connection.
pub fn lines(capture: &Capture, inf: &Inference) -> Vec<Line> {
    let mut out: Vec<Line> = capture
        .connections
        .iter()
        .enumerate()
        .map(|(i, c)| Line::Connection {
            index: i + 1,
            a: c.a.to_string(),
            b: c.b.to_string(),
            incarnation: c.incarnation,
            frames: c.packets.len(),
            fin: c.has_fin,
            rst: c.has_rst,
            chosen: i == inf.connection,
        })
        .collect();
    let p = inf.position;
    out.push(Line::Position {
        vantage: p.vantage,
        a_turnaround_us: p.a_turnaround_us,
        b_turnaround_us: p.b_turnaround_us,
        to_a_us: p.to_a_us,
        to_b_us: p.to_b_us,
        rtt_us: p.rtt_us(),
        by_packet_type: p.by_packet_type,
        platform: inf.platform,
        start_a: inf.start[0],
        start_b: inf.start[1],
    });
    let rel = |t: i64| (t.saturating_sub(inf.first_us)) as f64 / 1000.0;
    out.extend(inf.changes.iter().map(|c| Line::State {
        change: *c,
        rel_ms: rel(c.t_us),
    }));
    out.extend(findings(inf).into_iter().map(|f| Line::Finding {
        rel_ms: rel(f.t_us),
        finding: f,
    }));
    out
}

/// What the reader left out of a file, one sentence each (the playground's
/// view shows them, `farewell explain` prints them as notes).
pub fn reader_notes(c: &Capture) -> Vec<String> {
    use farewell_num::thousands;
    let mut out = Vec::new();
    if let Some(s) = c.stopped {
        out.push(format!("The file is larger than the reader keeps: {s}."));
    }
    if c.cut_short {
        out.push(
            "The file ends in the middle of a frame (as when tcpdump is killed): the frames before it are read."
                .to_string(),
        );
    }
    if c.non_tcp > 0 {
        out.push(format!(
            "{} frames carry no TCP (ARP, UDP, ICMP, …) and are left out.",
            thousands(u64::from(c.non_tcp))
        ));
    }
    if c.unparsable > 0 {
        out.push(format!(
            "{} frames could not be decoded and are left out.",
            thousands(u64::from(c.unparsable))
        ));
    }
    out
}
