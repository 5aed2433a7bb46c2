//! The endpoint's timers as data, in the manner of quinn-proto's
//! `TimerTable` (`quinn-proto/src/connection/timer.rs`): one deadline per
//! [`TimerKind`], armed, cancelled and queried for the earliest, never a
//! callback. The endpoint decides what an expiry does.

use crate::time::Instant;
use serde::{Deserialize, Serialize};

/// The engine's timers (RFC 9293 §3.8, RFC 6298, RFC 1122 §4.2.3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    Retransmission,
    DelayedAck,
    #[serde(rename = "fin_wait_2")]
    FinWait2,
    TimeWait,
    /// Tail loss probe timeout (RFC 8985 §7.2, Linux `ICSK_TIME_LOSS_PROBE`).
    LossProbe,
    /// The BSDs' connection-establishment timer: `TCPT_KEEP` armed with
    /// `tcp_keepinit` at connect() (FreeBSD `tcp_usrreq.c:622`, xnu
    /// `tcp_usrreq.c:1596`); a connection not ESTABLISHED when it fires is
    /// dropped (`tcp_timer_keep`: `t_state < TCPS_ESTABLISHED`, goto dropit).
    #[serde(rename = "keepinit")]
    KeepInit,
}

impl TimerKind {
    /// Every timer, in the order [`crate::endpoint::Endpoint::on_timeout`]
    /// runs those due at the same moment.
    pub const ALL: [TimerKind; 6] = [
        TimerKind::Retransmission,
        TimerKind::DelayedAck,
        TimerKind::FinWait2,
        TimerKind::TimeWait,
        TimerKind::LossProbe,
        TimerKind::KeepInit,
    ];
    pub const fn index(self) -> usize {
        self as usize
    }
    pub const fn label(self) -> &'static str {
        match self {
            TimerKind::Retransmission => "RTO",
            TimerKind::DelayedAck => "delayed ACK",
            TimerKind::FinWait2 => "FIN_WAIT_2 timeout",
            TimerKind::TimeWait => "TIME_WAIT (2MSL)",
            TimerKind::LossProbe => "loss probe (TLP)",
            TimerKind::KeepInit => "connect deadline (keepinit)",
        }
    }
}

/// What happened to a timer (the trace's `timer` event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerAction {
    Armed,
    /// Armed again while running (TIME_WAIT restarted by a retransmitted FIN).
    Restarted,
    Stopped,
    Expired,
}

/// One optional deadline per [`TimerKind`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TimerTable {
    deadlines: [Option<Instant>; TimerKind::ALL.len()],
}

impl TimerTable {
    /// When `timer` fires, if it is running.
    pub(crate) fn get(&self, timer: TimerKind) -> Option<Instant> {
        self.deadlines[timer.index()]
    }

    pub(crate) fn is_running(&self, timer: TimerKind) -> bool {
        self.get(timer).is_some()
    }

    /// Sets `timer` to fire at `deadline`: [`TimerAction::Restarted`] if it was
    /// running, else [`TimerAction::Armed`].
    pub(crate) fn arm(&mut self, timer: TimerKind, deadline: Instant) -> TimerAction {
        match self.deadlines[timer.index()].replace(deadline) {
            Some(_) => TimerAction::Restarted,
            None => TimerAction::Armed,
        }
    }

    /// Stops `timer`; whether it was running.
    pub(crate) fn cancel(&mut self, timer: TimerKind) -> bool {
        self.deadlines[timer.index()].take().is_some()
    }

    /// Stops `timer` if it is due at `now` (its deadline at or before it);
    /// whether it was.
    pub(crate) fn expire(&mut self, timer: TimerKind, now: Instant) -> bool {
        let slot = &mut self.deadlines[timer.index()];
        if slot.is_some_and(|d| d <= now) {
            *slot = None;
            true
        } else {
            false
        }
    }

    /// The earliest deadline of any running timer.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::{TimerAction, TimerKind, TimerTable};
    use crate::time::Instant;

    fn at(ms: u64) -> Instant {
        Instant::ZERO + crate::time::Duration::from_millis(ms)
    }

    #[test]
    fn an_empty_table_has_no_deadline() {
        let t = TimerTable::default();
        assert_eq!(t.next_deadline(), None);
        for k in TimerKind::ALL {
            assert!(!t.is_running(k));
        }
    }

    #[test]
    fn arming_twice_restarts_and_keeps_the_new_deadline() {
        let mut t = TimerTable::default();
        assert_eq!(t.arm(TimerKind::TimeWait, at(60_000)), TimerAction::Armed);
        assert_eq!(
            t.arm(TimerKind::TimeWait, at(60_500)),
            TimerAction::Restarted
        );
        assert_eq!(t.get(TimerKind::TimeWait), Some(at(60_500)));
        assert_eq!(t.get(TimerKind::DelayedAck), None);
    }

    #[test]
    fn the_next_deadline_is_the_earliest_running_one() {
        let mut t = TimerTable::default();
        t.arm(TimerKind::Retransmission, at(1_000));
        t.arm(TimerKind::DelayedAck, at(40));
        t.arm(TimerKind::TimeWait, at(60_000));
        assert_eq!(t.next_deadline(), Some(at(40)));
        assert!(t.cancel(TimerKind::DelayedAck));
        assert!(!t.cancel(TimerKind::DelayedAck), "already stopped");
        assert_eq!(t.next_deadline(), Some(at(1_000)));
        t.cancel(TimerKind::Retransmission);
        t.cancel(TimerKind::TimeWait);
        assert_eq!(t.next_deadline(), None);
    }

    #[test]
    fn only_a_due_timer_expires() {
        let mut t = TimerTable::default();
        t.arm(TimerKind::Retransmission, at(200));
        t.arm(TimerKind::LossProbe, at(201));
        assert!(!t.expire(TimerKind::Retransmission, at(199)));
        assert!(!t.expire(TimerKind::FinWait2, at(500)), "not running");
        assert!(
            t.expire(TimerKind::Retransmission, at(200)),
            "due at its deadline"
        );
        assert!(!t.is_running(TimerKind::Retransmission));
        assert_eq!(t.next_deadline(), Some(at(201)));
    }

    #[test]
    fn every_kind_has_its_own_slot() {
        let mut t = TimerTable::default();
        for (i, k) in TimerKind::ALL.into_iter().enumerate() {
            t.arm(k, at(10 * (i as u64 + 1)));
        }
        for (i, k) in TimerKind::ALL.into_iter().enumerate() {
            assert_eq!(t.get(k), Some(at(10 * (i as u64 + 1))), "{k:?}");
        }
    }
}
