//! The simulated link between A and B: one-way delay, seeded random loss, and
//! deterministic drop and duplicate rules. Faults are a named, first-class API
//! (as in turmoil), not scattered `if rand()` checks.
//!
//! Later fault kinds (reordering, jitter) slot in as further rule lists here: the
//! simulator only asks [`Link::transmit`] what happens to each segment.

use crate::scenario::{DropRule, DuplicateRule, LinkConfig};
use crate::segment::{Host, Segment};
use crate::time::{Duration, Instant};
use crate::trace::DropCause;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// What the link does with one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `None`: delivered; otherwise why it was lost.
    pub dropped: Option<DropCause>,
    /// When the (original) segment arrives, if delivered.
    pub arrive: Option<Instant>,
    /// When an extra copy arrives (a duplicate rule matched), whether or not the
    /// original was dropped.
    pub duplicate_arrive: Option<Instant>,
}

/// A rule with the count of segments it has matched so far.
#[derive(Clone, Debug)]
struct Counted<R> {
    rule: R,
    from: Host,
    after: Instant,
    matches: u32,
}

impl<R> Counted<R> {
    fn new(rule: R, from: Host, after_ms: f64) -> Counted<R> {
        Counted {
            rule,
            from,
            after: Instant::from_ms(after_ms),
            matches: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Link {
    delay: Duration,
    loss: f64,
    /// Rolled once per segment, only when `loss > 0`.
    rng: Option<Pcg64Mcg>,
    drops: Vec<Counted<DropRule>>,
    duplicates: Vec<Counted<DuplicateRule>>,
}

impl Link {
    pub fn new(
        cfg: &LinkConfig,
        seed: u64,
        drops: &[DropRule],
        duplicates: &[DuplicateRule],
    ) -> Link {
        Link {
            delay: Duration::from_ms(cfg.delay_ms),
            rng: (cfg.loss > 0.0).then(|| Pcg64Mcg::seed_from_u64(seed ^ 0x6c69_6e6b)),
            loss: cfg.loss,
            drops: drops
                .iter()
                .map(|r| Counted::new(r.clone(), r.from, r.after_ms))
                .collect(),
            duplicates: duplicates
                .iter()
                .map(|r| Counted::new(r.clone(), r.from, r.after_ms))
                .collect(),
        }
    }

    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// Decides the fate of a segment `from` sends at `now`. Every rule counts the
    /// segment (a drop does not hide it from the others), and the loss die is rolled
    /// once per segment when loss is enabled, so the outcome of one segment never
    /// depends on rules about later ones.
    pub fn transmit(&mut self, now: Instant, from: Host, seg: &Segment) -> Verdict {
        let mut dropped = None;
        for r in &mut self.drops {
            if r.from == from && now >= r.after && r.rule.kind.matches(seg.flags, seg.len) {
                r.matches += 1;
                if r.matches >= r.rule.nth && r.matches < r.rule.nth.saturating_add(r.rule.count) {
                    dropped = Some(DropCause::Rule);
                }
            }
        }
        if let Some(rng) = &mut self.rng {
            if rng.gen_bool(self.loss) && dropped.is_none() {
                dropped = Some(DropCause::Loss);
            }
        }
        let arrive_at = now + self.delay;
        let mut duplicate_arrive = None;
        for r in &mut self.duplicates {
            if r.from == from && now >= r.after && r.rule.kind.matches(seg.flags, seg.len) {
                r.matches += 1;
                if r.matches == r.rule.nth {
                    duplicate_arrive = Some(arrive_at + Duration::from_ms(r.rule.extra_delay_ms));
                }
            }
        }
        Verdict {
            dropped,
            arrive: dropped.is_none().then_some(arrive_at),
            duplicate_arrive,
        }
    }
}
