//! The round-trip time estimate and the retransmission timeout it gives, kept
//! the way the profile's family of stacks keeps them ([`Estimator`]): RFC 6298
//! or Linux's `tcp_rtt_estimator`. The endpoint asks one [`RttEstimator`] for
//! the RTO and hands it samples and backoffs; only this module knows the family.

use crate::profile::{Estimator, Profile};
use crate::seq::Seq;
use crate::time::Duration;

/// One connection's RTT estimate and current RTO (smoltcp's `RttEstimator`,
/// Linux's `srtt_us`/`mdev_us`/`rttvar_us` and `icsk_rto`): built fresh with
/// each connection's control block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RttEstimator {
    /// None before the first sample.
    smoothed: Option<Smoothed>,
    /// Timeouts since new data was last acknowledged: the RTO is doubled this
    /// many times (RFC 6298 §5.5; BSD `t_rxtshift`, Linux `icsk_backoff`).
    backoff: u32,
}

impl RttEstimator {
    pub(crate) fn new() -> RttEstimator {
        RttEstimator {
            smoothed: None,
            backoff: 0,
        }
    }

    /// The RTO to arm the retransmission timer with, in a connection that is
    /// `synchronized` (ESTABLISHED or later) or not: the estimate's RTO (the
    /// profile's `rto_initial` until the first sample, RFC 6298 §2.1), doubled
    /// per backoff (or by the profile's `syn_backoff` table before ESTABLISHED),
    /// plus the profile's slop, within `rto_min..=rto_max`.
    ///
    /// The slop is the BSDs' `tcp_rexmit_slop` (200 ms), which `TCPT_RANGESET`
    /// adds to every RTO after the backoff multiply (FreeBSD
    /// `netinet/tcp_timer.h:139-145`; xnu `bsd/netinet/tcp_timer.h:294-295`,
    /// where `TCP_ADD_REXMTSLOP` adds it only from ESTABLISHED on). The first
    /// timeout of a connection with no sample yet is `rto_initial` as is: both
    /// set `t_rxtcur` to it without `TCPT_RANGESET` (FreeBSD `tcp_subr.c:1780`,
    /// xnu `tcp_subr.c:1154`).
    pub(crate) fn rto(&self, p: &Profile, synchronized: bool) -> Duration {
        let (base, first) = match self.smoothed {
            Some(s) => (s.rto(p.rto_min, p.rto_max), false),
            None => (p.rto_initial, self.backoff == 0),
        };
        // xnu's SYN retransmissions follow `tcp_syn_backoff` (`tcp_timer.c:1263`).
        let factor = match p.syn_backoff {
            Some(table) if !synchronized => {
                u64::from(table[(self.backoff as usize).min(table.len() - 1)])
            }
            _ => 1u64 << self.backoff.min(32),
        };
        let backed_off = base.saturating_mul(factor);
        let slop = if first || (p.rto_slop_from_established && !synchronized) {
            Duration::ZERO
        } else {
            p.rto_slop
        };
        (backed_off + slop).max(p.rto_min).min(p.rto_max)
    }

    /// The smoothed RTT, once there has been a sample.
    pub(crate) fn srtt(&self) -> Option<Duration> {
        self.smoothed.map(|s| s.srtt())
    }

    /// An RTT sample `r`, taken on an ACK that moved SND.UNA to `snd_una` with
    /// SND.NXT at `snd_nxt` (Linux `tcp_ack_update_rtt`: the estimate, then
    /// `tcp_set_rto`). The RTO follows the new estimate, without backoff.
    pub(crate) fn sample(&mut self, p: &Profile, r: Duration, snd_una: Seq, snd_nxt: Seq) {
        match &mut self.smoothed {
            None => self.smoothed = Some(Smoothed::first(p, r, snd_nxt)),
            Some(s) => s.sample(p, r, snd_una, snd_nxt),
        }
        self.reset_backoff();
    }

    /// New data was acknowledged: the RTO is the estimate's again, its backoff
    /// forgotten (RFC 6298 §5.7's "after the timer is backed off"; Linux
    /// `tcp_ack` clears `icsk_backoff`).
    pub(crate) fn reset_backoff(&mut self) {
        self.backoff = 0;
    }

    /// The retransmission timer expired: RFC 6298 §5.5, "back off the timer",
    /// doubling the RTO up to the profile's `rto_max`.
    pub(crate) fn back_off(&mut self) {
        self.backoff = self.backoff.saturating_add(1);
    }
}

/// The smoothed estimate after the first sample, in each family's own terms.
#[derive(Clone, Copy, Debug)]
enum Smoothed {
    /// RFC 6298 §2: SRTT and RTTVAR, both updated on every sample.
    Rfc6298 { srtt: Duration, rttvar: Duration },
    /// Linux `tcp_rtt_estimator` (net/ipv4/tcp_input.c), in the kernel's own
    /// fixed point and words, all in µs.
    Linux {
        /// The smoothed RTT ×8.
        srtt_us: i64,
        /// The mean deviation ×4, updated on every sample.
        mdev_us: i64,
        /// The largest `mdev_us` of this round trip, and at least `rto_min`.
        mdev_max_us: i64,
        /// The deviation the RTO adds to SRTT: raised at once with
        /// `mdev_max_us`, lowered only at the end of a round trip, and then only a
        /// quarter of the way down to that round trip's `mdev_max_us`.
        rttvar_us: i64,
        /// SND.NXT when this round trip began: it ends when SND.UNA passes it.
        rtt_seq: Seq,
    },
    /// illumos `tcp_set_rto`, in its words (`tcp_rtt_sa`, `tcp_rtt_sd`), µs.
    Illumos {
        /// The smoothed RTT ×8.
        sa_us: i64,
        /// The deviation term (the mean deviation ×4), never below
        /// `TCP_SD_MIN`.
        sd_us: i64,
    },
}

/// illumos `TCP_SD_MIN` (`tcp_input.c:5215`): 400 ms, "twice of BSD DATIMO".
const ILLUMOS_SD_MIN_US: i64 = 400_000;

impl Smoothed {
    /// The estimate after its first sample `r` (RFC 6298 §2.2; Linux
    /// `tcp_rtt_estimator`, "no previous measure"), taken when SND.NXT was `snd_nxt`.
    fn first(p: &Profile, r: Duration, snd_nxt: Seq) -> Smoothed {
        let m = r.as_micros() as i64;
        match p.estimator {
            Estimator::Rfc6298 => Smoothed::Rfc6298 {
                srtt: r,
                rttvar: Duration::from_micros(r.as_micros() / 2),
            },
            Estimator::Linux => {
                // "make sure rto = 3*rtt", and never below rto_min.
                let rttvar_us = (2 * m).max(p.rto_min.as_micros() as i64);
                Smoothed::Linux {
                    srtt_us: (8 * m).max(1),
                    mdev_us: 2 * m,
                    mdev_max_us: rttvar_us,
                    rttvar_us,
                    rtt_seq: snd_nxt,
                }
            }
            // "sa = m << 3; sv = m << 1;", then the floor.
            Estimator::Illumos => Smoothed::Illumos {
                sa_us: (8 * m).max(1),
                sd_us: (2 * m).max(ILLUMOS_SD_MIN_US),
            },
        }
    }

    /// Takes a further sample `r`, measured on an ACK that moved SND.UNA to `snd_una`.
    fn sample(&mut self, p: &Profile, r: Duration, snd_una: Seq, snd_nxt: Seq) {
        match self {
            // RFC 6298 §2.3.
            Smoothed::Rfc6298 { srtt, rttvar } => {
                let diff = srtt.as_micros().abs_diff(r.as_micros());
                *rttvar = Duration::from_micros((3 * rttvar.as_micros() + diff) / 4);
                *srtt = Duration::from_micros((7 * srtt.as_micros() + r.as_micros()) / 8);
            }
            // Line by line the kernel's `tcp_rtt_estimator`.
            Smoothed::Linux {
                srtt_us,
                mdev_us,
                mdev_max_us,
                rttvar_us,
                rtt_seq,
            } => {
                let mut m = r.as_micros() as i64 - (*srtt_us >> 3); // the error
                *srtt_us += m; // srtt = 7/8 srtt + 1/8 new
                m = if m < 0 {
                    // An RTT below the estimate moves mdev 8 times less: where
                    // Eifel would not update mdev at all, a finer gain (the
                    // kernel's comment).
                    let m = -m - (*mdev_us >> 2);
                    if m > 0 {
                        m >> 3
                    } else {
                        m
                    }
                } else {
                    m - (*mdev_us >> 2)
                };
                *mdev_us += m; // mdev = 3/4 mdev + 1/4 new
                if *mdev_us > *mdev_max_us {
                    *mdev_max_us = *mdev_us;
                    *rttvar_us = (*rttvar_us).max(*mdev_max_us);
                }
                if rtt_seq.lt(snd_una) {
                    // A round trip ended: decay rttvar towards its mdev_max.
                    if *mdev_max_us < *rttvar_us {
                        *rttvar_us -= (*rttvar_us - *mdev_max_us) >> 2;
                    }
                    *rtt_seq = snd_nxt;
                    *mdev_max_us = p.rto_min.as_micros() as i64;
                }
                *srtt_us = (*srtt_us).max(1);
            }
            // Line by line illumos's `tcp_set_rto`.
            Smoothed::Illumos { sa_us, sd_us } => {
                let mut m = r.as_micros() as i64 - (*sa_us >> 3); // the error
                *sa_us += m; // new rtt = 7/8 old rtt + 1/8 error
                if *sa_us <= 0 {
                    *sa_us = 1;
                }
                m = m.abs() - (*sd_us >> 2); // new mdev = 3/4 old + 1/4 |error|
                *sd_us = (*sd_us + m).max(ILLUMOS_SD_MIN_US);
            }
        }
    }

    fn srtt(&self) -> Duration {
        match *self {
            Smoothed::Rfc6298 { srtt, .. } => srtt,
            Smoothed::Linux { srtt_us, .. } => Duration::from_micros((srtt_us >> 3) as u64),
            Smoothed::Illumos { sa_us, .. } => Duration::from_micros((sa_us >> 3) as u64),
        }
    }

    /// The retransmission timeout before any backoff, at most `rto_max`.
    fn rto(&self, rto_min: Duration, rto_max: Duration) -> Duration {
        let rto = match *self {
            // RFC 6298 §2.3 with clock granularity G = 1 ms, then §2.4's floor.
            Smoothed::Rfc6298 { srtt, rttvar } => {
                (srtt + rttvar.saturating_mul(4).max(Duration::from_millis(1))).max(rto_min)
            }
            // Linux `__tcp_set_rto`: SRTT + rttvar, whose floor is already rto_min.
            // The kernel rounds this up to whole jiffies (4 ms at HZ=250) and its
            // timer wheel fires up to 1/8 later; at the captures' RTTs that is within
            // the comparison's tolerance, so neither is modelled.
            Smoothed::Linux {
                srtt_us, rttvar_us, ..
            } => Duration::from_micros(((srtt_us >> 3) + rttvar_us) as u64),
            // "rto = (sa >> 3) + sv + tcps->tcps_rexmit_interval_extra + (sa >> 5)",
            // the extra being 0 by default; `TCP_SET_RTO` clamps it (below).
            Smoothed::Illumos { sa_us, sd_us } => {
                Duration::from_micros(((sa_us >> 3) + sd_us + (sa_us >> 5)) as u64)
            }
        };
        rto.min(rto_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::LINUX;

    /// The RTO after each of `samples` (ms), one per round trip: each ACK
    /// acknowledges all that was sent (SND.UNA = SND.NXT), as one write per RTT does.
    fn rtos(p: &Profile, samples: &[u64]) -> Vec<f64> {
        let mut est = RttEstimator::new();
        let mut out = Vec::new();
        for (i, &ms) in samples.iter().enumerate() {
            let snd_nxt = Seq(i as u32 * 10 + 1);
            est.sample(p, Duration::from_millis(ms), snd_nxt, snd_nxt);
            out.push(est.rto(p, true).as_ms());
        }
        out
    }

    #[test]
    fn linux_lowers_rttvar_a_quarter_of_the_way_once_per_round_trip() {
        // 100 ms one way: the handshake's sample gives 200 + 2·200 ms; the next
        // round trip keeps rttvar (that round's mdev_max was 400 ms), the ones
        // after lower it by (rttvar - mdev_max) / 4 in whole µs: 400 → 356.25 →
        // 317.188.
        assert_eq!(
            rtos(&LINUX, &[200, 200, 200, 200]),
            [600.0, 600.0, 556.25, 517.188]
        );
    }

    #[test]
    fn rfc6298_lowers_rttvar_on_every_sample() {
        // The same RTTs as above: RTTVAR 100 → 75 → 56.25 → 42.187 (whole µs).
        let rfc = Profile {
            estimator: Estimator::Rfc6298,
            ..LINUX
        };
        assert_eq!(
            rtos(&rfc, &[200, 200, 200, 200]),
            [600.0, 500.0, 425.0, 368.748]
        );
    }

    #[test]
    fn linux_floors_rttvar_at_rto_min_and_raises_it_at_once() {
        // 1 ms one way: SRTT + rto_min. Then an RTT of 300 ms: mdev jumps, and
        // rttvar with it, in the same round trip.
        let r = rtos(&LINUX, &[2, 2, 300]);
        assert_eq!(r[..2], [202.0, 202.0]);
        // srtt 2 + 298/8 = 39.25 ms; mdev 3 + (298 - 0.75) = 300.25 ms.
        assert_eq!(r[2], 39.25 + 300.25);
    }

    #[test]
    fn linux_moves_mdev_less_on_a_shorter_rtt() {
        // 200 ms, then 40 ms: the error is -160 ms. Less mdev/4 (100 ms) that
        // leaves 60 ms, which moves mdev_us by 60/8 = 7.5 ms, not by 60 (RFC 6298:
        // 4·RTTVAR 460 ms). SRTT 200 - 160/8 = 180 ms; mdev_us 407.5 ms is above
        // this round's mdev_max_us (400), so rttvar_us rises with it.
        assert_eq!(rtos(&LINUX, &[200, 40]), [600.0, 180.0 + 407.5]);
    }

    #[test]
    fn the_rto_backs_off_to_rto_max_and_returns_to_the_estimate() {
        let p = LINUX;
        let mut est = RttEstimator::new();
        assert_eq!(est.rto(&p, true), p.rto_initial);
        assert_eq!(est.srtt(), None);
        est.back_off();
        assert_eq!(est.rto(&p, true), p.rto_initial.saturating_mul(2));
        for _ in 0..20 {
            est.back_off();
        }
        assert_eq!(est.rto(&p, true), p.rto_max);
        est.reset_backoff();
        assert_eq!(est.rto(&p, true), p.rto_initial, "no sample yet");
        est.sample(&p, Duration::from_millis(40), Seq(1), Seq(1));
        est.back_off();
        est.reset_backoff();
        assert_eq!(
            est.rto(&p, true).as_ms(),
            240.0,
            "SRTT 40 + rttvar rto_min 200"
        );
        assert_eq!(est.srtt(), Some(Duration::from_millis(40)));
    }

    #[test]
    fn the_bsd_slop_follows_the_backoff_multiply_and_not_the_first_timeout() {
        use crate::profile::{FREEBSD, MACOS};
        let mut est = RttEstimator::new();
        // The first SYN timeout is rto_initial as is; then 1 s·2 + 200 ms.
        assert_eq!(est.rto(&FREEBSD, false).as_ms(), 1000.0);
        est.back_off();
        assert_eq!(est.rto(&FREEBSD, false).as_ms(), 2200.0);
        est.back_off();
        assert_eq!(est.rto(&FREEBSD, false).as_ms(), 4200.0);
        // xnu adds no slop before ESTABLISHED, and backs a SYN off by
        // `tcp_syn_backoff` (×1 for the first five), data by doubling.
        let mut mac = RttEstimator::new();
        mac.back_off();
        assert_eq!(mac.rto(&MACOS, false).as_ms(), 1000.0);
        assert_eq!(mac.rto(&MACOS, true).as_ms(), 2200.0);
        for _ in 0..5 {
            mac.back_off();
        }
        assert_eq!(mac.rto(&MACOS, false).as_ms(), 4000.0);
        // After a 10 ms sample: max(30 ms, 10 + 4·5) + 200 ms.
        est.sample(&FREEBSD, Duration::from_millis(10), Seq(1), Seq(1));
        assert_eq!(est.rto(&FREEBSD, true).as_ms(), 230.0);
        est.back_off();
        assert_eq!(est.rto(&FREEBSD, true).as_ms(), 260.0);
    }

    /// illumos `tcp_set_rto`: a 40 ms first sample gives 40 + max(80, 400) +
    /// 10 = 450 ms; more 40 ms samples keep the term at its 400 ms floor; a
    /// 1 s sample then moves SRTT an eighth of the way (160 ms) and the term
    /// by a quarter of the error (1,260 ms): 160 + 1,260 + 40 = 1,460 ms.
    #[test]
    fn illumos_floors_the_deviation_at_400_ms_and_adds_a_quarter_of_srtt() {
        use crate::profile::SOLARIS;
        let mut est = RttEstimator::new();
        assert_eq!(est.rto(&SOLARIS, true).as_ms(), 1125.0);
        est.sample(&SOLARIS, Duration::from_millis(40), Seq(1), Seq(1));
        assert_eq!(est.rto(&SOLARIS, true).as_ms(), 450.0);
        est.sample(&SOLARIS, Duration::from_millis(40), Seq(1), Seq(1));
        assert_eq!(est.rto(&SOLARIS, true).as_ms(), 450.0);
        est.sample(&SOLARIS, Duration::from_millis(1000), Seq(1), Seq(1));
        assert_eq!(est.srtt(), Some(Duration::from_millis(160)));
        assert_eq!(est.rto(&SOLARIS, true).as_ms(), 1460.0);
        // A sub-millisecond LAN: the 400 ms floor of rto_min, not the term's.
        let mut lan = RttEstimator::new();
        lan.sample(&SOLARIS, Duration::from_micros(200), Seq(1), Seq(1));
        assert_eq!(lan.rto(&SOLARIS, true).as_micros(), 400_250);
    }
}
