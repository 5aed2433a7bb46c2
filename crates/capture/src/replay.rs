//! "Replay in the simulator": a scenario derived from an inferred connection,
//! so the playground can run it again and the user can ask what if (this ACK
//! had arrived, the other side had closed first, the stack were FreeBSD).
//!
//! * the link's one-way delay is the capture's: the delays from the capture
//!   point to each side add up to it (half the handshake's round trip);
//! * the application calls are the ones the inference says the segments imply
//!   ([`SegmentView::implies`](crate::infer::SegmentView)): a SYN is
//!   `connect` (the scenario's `handshake`), new data `send` with its bytes, a
//!   FIN `close` or `shutdown_write`, a RST nobody asked for `abort`, each at
//!   the time its host made it (capture time less the delay to that host);
//! * a segment presumed lost (a retransmission shows it was) becomes a drop
//!   rule naming its sender, kind and rank (`nth`);
//! * the platform is the one the inference assumed (chosen, or
//!   [`guess_platform`]), timestamps as the capture's SYN offered them.
//!
//! What no capture shows (the stack's tunables, whether an application read
//! its data) keeps the platform's defaults; [`Replay::notes`] says what was
//! left out.

use crate::infer::{Cause, Inference};
use crate::{trace, Capture, Packet};
use farewell_engine::scenario::{Action, Do, DropRule, HostConfig, Hosts, LinkConfig};
use farewell_engine::trace::AppCall;
use farewell_engine::{Flags, Host, Platform, Scenario, SegmentKind, TcpState, Tunables};

/// A derived scenario and what it could not carry over.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    pub scenario: Scenario,
    /// One sentence each: what the scenario was derived from, and what it
    /// leaves out.
    pub notes: Vec<String>,
}

/// Most actions and drop rules kept (the work budget's `MAX_RULES`).
const MAX_RULES: usize = farewell_engine::scenario::MAX_RULES;

/// Milliseconds, to the capture's microsecond.
fn ms(us: i64) -> f64 {
    us.max(0) as f64 / 1000.0
}

/// The scenario that replays connection `inf.connection` of `capture`.
pub fn scenario(capture: &Capture, inf: &Inference) -> Replay {
    scenario_numbered(capture, inf, inf.connection + 1)
}

/// The same, naming the connection `number` (1-based) in its text: the view
/// infers a long connection from a capture of its first segments only.
pub fn scenario_numbered(capture: &Capture, inf: &Inference, number: usize) -> Replay {
    let conn = &capture.connections[inf.connection];
    let packets: Vec<&Packet> = conn
        .packets
        .iter()
        .map(|&i| &capture.packets[i as usize])
        .collect();
    let origin = trace::origin_us(inf);
    let pos = &inf.position;
    let delay_us = pos.to_a_us + pos.to_b_us;
    let handshake = inf.start[0] == TcpState::Closed;
    let mut notes = vec![format!(
        "Derived from capture connection {number} ({} → {}): a one-way delay of {} ms from the capture's round trip, {} as the stack.",
        inf.a,
        inf.b,
        ms(delay_us),
        inf.platform.id()
    )];
    let mut actions = Vec::new();
    let mut drops: Vec<DropRule> = Vec::new();
    // Per host: the end of the data it sent so far (relative sequence), and
    // how many segments of each kind it sent (for the drop rules' `nth`).
    let mut data_end = [None::<u32>; 2];
    let mut sent_of_kind = [[0u32; 6]; 2];
    let mut connects = 0;
    // The send() still being written, per host (an index into `actions`).
    let mut open_send = [None::<usize>; 2];
    for s in inf.segments.iter().filter(|s| !s.duplicate) {
        let h = s.from.index();
        let at_ms = ms(s.t_us - pos.to(s.from) - origin);
        for (k, kind) in SegmentKind::ALL.iter().enumerate() {
            if kind.matches(s.flags, s.len) {
                sent_of_kind[h][k] += 1;
            }
        }
        let start = s.seq.wrapping_add(u32::from(s.flags.contains(Flags::SYN)));
        let end = start.wrapping_add(s.len);
        let new_bytes = match data_end[h] {
            _ if s.len == 0 || s.flags.contains(Flags::RST) => 0,
            Some(e) if (end.wrapping_sub(e) as i32) <= 0 => 0,
            Some(e) if ((start.wrapping_sub(e)) as i32) < 0 => end.wrapping_sub(e),
            _ => s.len,
        };
        if new_bytes > 0 {
            data_end[h] = Some(end);
        }
        let act = |what: Do, bytes: Option<u32>| Action {
            at_ms: Some(at_ms),
            after_eof_ms: None,
            host: s.from,
            what,
            bytes,
        };
        // A close in CLOSE_WAIT answers the peer's FIN: it is timed from the
        // end of file the application read, so that it still follows the
        // FIN when the replay's delay differs from the real one.
        let sent_us = s.t_us - pos.to(s.from);
        let eof_us = inf
            .changes
            .iter()
            .rev()
            .find(|c| {
                c.host == s.from && c.t_us <= sent_us && c.cause != Cause::Sent { frame: s.frame }
            })
            .filter(|c| c.to == TcpState::CloseWait)
            .map(|c| c.t_us);
        let close_act = |what: Do| match eof_us {
            Some(eof) => Action {
                at_ms: None,
                after_eof_ms: Some(ms(sent_us - eof)),
                ..act(what, None)
            },
            None => act(what, None),
        };
        let mut calls = Vec::new();
        match s.implies {
            Some(AppCall::Connect) => {
                connects += 1;
                // The scenario's handshake is A's first connect, at 0.
                if !(handshake && s.from == Host::A && connects == 1) {
                    calls.push(act(Do::Connect, None));
                }
            }
            // Segments of one write: the stack sets PSH on the last one
            // (Linux `tcp_push`), so a write goes on until a PSH.
            Some(AppCall::Send) => match open_send[h] {
                Some(i) => {
                    let a: &mut Action = &mut actions[i];
                    a.bytes = Some(a.bytes.unwrap_or(0).saturating_add(new_bytes.max(1)));
                }
                None => calls.push(act(Do::Send, Some(new_bytes.max(1)))),
            },
            Some(call @ (AppCall::Close | AppCall::ShutdownWrite)) => {
                if new_bytes > 0 {
                    calls.push(act(Do::Send, Some(new_bytes)));
                }
                let what = if call == AppCall::Close {
                    Do::Close
                } else {
                    Do::ShutdownWrite
                };
                calls.push(close_act(what));
            }
            Some(AppCall::Abort) => calls.push(act(Do::Abort, None)),
            _ => {}
        }
        let write_goes_on = s.implies == Some(AppCall::Send) && !s.flags.contains(Flags::PSH);
        if !calls.is_empty() || !write_goes_on {
            open_send[h] = None;
        }
        if write_goes_on && open_send[h].is_none() && calls.len() == 1 {
            open_send[h] = Some(actions.len());
        }
        actions.extend(calls);
        if s.presumed_lost {
            // The most specific kind (a FIN with data counts among FINs).
            let kind = SegmentKind::of(s.flags, s.len);
            let k = SegmentKind::ALL
                .iter()
                .position(|&x| x == kind)
                .unwrap_or(0);
            let nth = sent_of_kind[h][k];
            match drops.last_mut() {
                Some(d) if d.from == s.from && d.kind == kind && d.nth + d.count == nth => {
                    d.count += 1
                }
                _ => drops.push(DropRule {
                    from: s.from,
                    kind,
                    after_ms: 0.0,
                    nth,
                    count: 1,
                }),
            }
        }
    }
    if actions.len() > MAX_RULES {
        notes.push(format!(
            "Only the first {MAX_RULES} of {} application calls are replayed (the simulator's limit).",
            actions.len()
        ));
        actions.truncate(MAX_RULES);
    }
    if drops.len() > MAX_RULES {
        drops.truncate(MAX_RULES);
    }
    if !drops.is_empty() {
        let n: u32 = drops.iter().map(|d| d.count).sum();
        notes.push(format!(
            "{n} segment{} presumed lost {} dropped by the link (click a ✕ to let it through).",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" }
        ));
    }
    if !handshake {
        notes.push(
            "The capture starts after the handshake: both sides start ESTABLISHED.".to_string(),
        );
    }
    notes.push(
        "Not carried over: the stack's tunables (the platform's defaults are used) and whether each application read its data."
            .to_string(),
    );
    let timestamps = packets.iter().any(|p| p.options.ts.is_some());
    let scenario = Scenario {
        name: format!("Replay of capture connection {number}"),
        description: notes.join(" "),
        platform: inf.platform,
        msl_ms: None,
        seed: 0,
        handshake,
        link: LinkConfig {
            delay_ms: ms(delay_us),
            loss: 0.0,
        },
        hosts: Hosts {
            a: HostConfig::default(),
            b: HostConfig {
                listen: None,
                ..HostConfig::default()
            },
        },
        tunables: Tunables {
            timestamps: Some(timestamps),
            ..Tunables::default()
        },
        actions,
        drops,
        duplicates: Vec::new(),
        time_limit_ms: None,
    };
    Replay { scenario, notes }
}

/// A guess at the stack that opened connection `conn`, from its SYN's window
/// and options (the way p0f reads a SYN), with the reason; `None` without a
/// SYN or when it fits none of the signatures. A guess only: the user can
/// choose another platform.
///
/// * Windows 10/11: no timestamps, window scale 8 (`TcpAutotuning` normal).
/// * macOS: window 65535, window scale 6, timestamps.
/// * FreeBSD: window 65535, window scale 6 (or 9 on recent releases), and
///   its option order MSS, NOP, WS, SACK-permitted, TS — not told apart from
///   macOS by these fields, so a 65535 window with scale 9 is FreeBSD and
///   with 6 macOS.
/// * Linux: window 64240 or 65495 (loopback), window scale 7 (or more), with
///   SACK-permitted.
pub fn guess_platform(capture: &Capture, conn: usize) -> Option<(Platform, String)> {
    let c = capture.connections.get(conn)?;
    let syn = c
        .packets
        .iter()
        .map(|&i| &capture.packets[i as usize])
        .find(|p| p.flags.contains(Flags::SYN))?;
    let o = &syn.options;
    let ws = o.wscale?;
    let sig = format!(
        "the SYN offers window {}, window scale {ws}{}",
        syn.window,
        if o.ts.is_some() {
            ", timestamps"
        } else {
            ", no timestamps"
        }
    );
    let p = match (syn.window, ws, o.ts.is_some()) {
        (_, 8, false) => Platform::Windows,
        (65535, 6, true) => Platform::Macos,
        (65535, 9, _) | (65535, 6, false) => Platform::Freebsd,
        (64240 | 65495 | 29200 | 42340 | 43690, 7..=14, _) if o.sack_permitted => Platform::Linux,
        _ => return None,
    };
    Some((p, sig))
}
