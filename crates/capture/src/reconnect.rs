//! A connection that reuses the 4-tuple of an earlier one while that one
//! may still be in TIME_WAIT on one side: the capture shows two incarnations,
//! and how close together they are says which kernel rule let the second in.
//!
//! * The side that closed first holds TIME_WAIT for the platform's length
//!   (60 s on Linux). A new SYN from its peer reaches that TIME_WAIT: Linux
//!   accepts it as a new connection when it is newer (its timestamp, or else
//!   its sequence number, above the old connection's: RFC 6191,
//!   `tcp_timewait_state_process` returning TCP_TW_SYN), and the new ISN is
//!   the old SND.NXT + 65537 (`tcp_conn_request` with `tcp_tw_isn`).
//! * A connect() from the host that holds it takes its own TIME_WAIT over when
//!   the port was bound explicitly and timestamps were seen, or by
//!   `tcp_tw_reuse` (`tcp_twsk_unique`), again with ISN = old SND.NXT + 65537.
//!
//! Only what the two incarnations show is used: who sent the first FIN of the
//! earlier one, the gap, and whether the new ISN continues the old numbering.

use crate::{Capture, Connection, Packet};
use farewell_engine::{Flags, Host};
use serde::Serialize;

/// `tcp_tw_isn`: a connection that replaces a TIME_WAIT starts its sequence
/// numbers at the old SND.NXT + 65535 + 2 (`tcp_timewait_state_process`,
/// `tcp_twsk_unique`).
pub const TW_ISN_STEP: u32 = 65537;

/// The earlier incarnation this connection's SYN met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Reconnect {
    /// Index into [`Capture::connections`] of the earlier incarnation.
    pub previous: usize,
    /// From the earlier incarnation's last frame to this one's first.
    pub gap_us: i64,
    /// The side (in this connection's A/B) that closed the earlier one first,
    /// and so held it in TIME_WAIT.
    pub time_wait_holder: Host,
    /// The holder's new ISN is its old SND.NXT + [`TW_ISN_STEP`]: the new
    /// connection replaced the TIME_WAIT (rather than finding it gone).
    pub isn_from_time_wait: bool,
}

/// The highest sequence number `from` used in `c`, plus one (its SND.NXT).
fn snd_nxt(capture: &Capture, c: &Connection, from: std::net::SocketAddr) -> Option<u32> {
    let mut best: Option<u32> = None;
    for p in c.packets.iter().map(|&i| &capture.packets[i as usize]) {
        if p.src != from || p.flags.contains(Flags::RST) {
            continue;
        }
        let end = p
            .seq
            .wrapping_add(p.len)
            .wrapping_add(u32::from(p.flags.contains(Flags::SYN)))
            .wrapping_add(u32::from(p.flags.contains(Flags::FIN)));
        best = Some(match best {
            Some(b) if (end.wrapping_sub(b) as i32) <= 0 => b,
            _ => end,
        });
    }
    best
}

fn packets<'a>(capture: &'a Capture, c: &'a Connection) -> impl Iterator<Item = &'a Packet> + 'a {
    c.packets.iter().map(|&i| &capture.packets[i as usize])
}

/// The earlier incarnation of connection `conn`'s 4-tuple, when it ended in
/// a close (a FIN from each side, no RST) less than `time_wait_us` before
/// this one's first frame, so one side still held it in TIME_WAIT.
pub fn reconnect(capture: &Capture, conn: usize, time_wait_us: i64) -> Option<Reconnect> {
    let c = capture.connections.get(conn)?;
    if c.incarnation < 2 {
        return None;
    }
    let same_tuple = |o: &Connection| (o.a == c.a && o.b == c.b) || (o.a == c.b && o.b == c.a);
    let previous = capture.connections[..conn]
        .iter()
        .rposition(|o| same_tuple(o) && o.incarnation + 1 == c.incarnation)?;
    let prev = &capture.connections[previous];
    if prev.has_rst {
        return None;
    }
    let first_fin = packets(capture, prev).find(|p| p.flags.contains(Flags::FIN))?;
    let closer = first_fin.src;
    // The other side's FIN too: a close that finished (TIME_WAIT follows).
    packets(capture, prev).find(|p| p.flags.contains(Flags::FIN) && p.src != closer)?;
    let last = packets(capture, prev).map(|p| p.t_us).max()?;
    let first = packets(capture, c).map(|p| p.t_us).min()?;
    let gap_us = first.saturating_sub(last);
    if gap_us >= time_wait_us {
        return None;
    }
    let holder = if closer == c.a { Host::A } else { Host::B };
    // The holder's first SYN (A's SYN, or B's SYN-ACK) in the new incarnation.
    let isn = packets(capture, c)
        .find(|p| p.src == closer && p.flags.contains(Flags::SYN))
        .map(|p| p.seq);
    let isn_from_time_wait = match (isn, snd_nxt(capture, prev, closer)) {
        (Some(isn), Some(old)) => isn == old.wrapping_add(TW_ISN_STEP),
        _ => false,
    };
    Some(Reconnect {
        previous,
        gap_us,
        time_wait_holder: holder,
        isn_from_time_wait,
    })
}
