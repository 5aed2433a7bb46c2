//! A lab run in small pieces: each [`Runner::step`] simulates one sampled
//! lifecycle with the engine, or one second of the replay. A page calls it
//! until its time slice is used up, yields to the browser, and shows
//! [`Runner::progress`]; the result is the same as [`farewell_lab::run`].

use farewell_lab::{lifecycle, sample_seeds, LabConfig, LabError, LabRun, Lifecycle, Replay, Row};

/// connect()s per step: at most a few milliseconds of work even when each
/// one searches the port table (tens of µs at worst, in the browser).
pub const CONNECTS_PER_STEP: u64 = 200;

pub struct Runner {
    cfg: LabConfig,
    seeds: Vec<u64>,
    lifecycles: Vec<Lifecycle>,
    replay: Option<Replay>,
}

/// Where a run is, for a progress bar and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// 0 to 1.
    pub fraction: f64,
    pub label: String,
}

impl Runner {
    /// A run of `cfg`, checked first.
    pub fn new(cfg: &LabConfig) -> Result<Runner, LabError> {
        cfg.validate()?;
        Ok(Runner {
            cfg: cfg.clone(),
            seeds: sample_seeds(cfg),
            lifecycles: Vec::new(),
            replay: None,
        })
    }

    pub fn config(&self) -> &LabConfig {
        &self.cfg
    }

    /// Does one piece of work; `false` once nothing is left.
    pub fn step(&mut self) -> bool {
        if self.lifecycles.len() < self.seeds.len() {
            let seed = self.seeds[self.lifecycles.len()];
            self.lifecycles.push(lifecycle(&self.cfg, seed));
            return true;
        }
        let replay = self
            .replay
            .get_or_insert_with(|| Replay::new(&self.cfg, &self.lifecycles));
        replay.advance(CONNECTS_PER_STEP)
    }

    /// The seconds replayed so far.
    pub fn rows(&self) -> &[Row] {
        self.replay.as_ref().map(Replay::rows).unwrap_or(&[])
    }

    /// How far the run is. Simulating the sampled lifecycles (64 with loss,
    /// else one) counts as a tenth of the work.
    pub fn progress(&self) -> Progress {
        let lc = self.lifecycles.len() as f64 / self.seeds.len() as f64;
        let secs = self.rows().len() as f64 / f64::from(self.cfg.duration_s);
        let sampling = if self.seeds.len() > 1 { 0.1 } else { 0.0 };
        let fraction = sampling * lc + (1.0 - sampling) * secs;
        let label = if self.lifecycles.len() < self.seeds.len() {
            format!(
                "Simulating connection {} of {} with the engine",
                self.lifecycles.len() + 1,
                self.seeds.len()
            )
        } else {
            format!(
                "Replaying second {} of {}",
                (self.rows().len() + 1).min(self.cfg.duration_s as usize),
                self.cfg.duration_s
            )
        };
        Progress { fraction, label }
    }

    /// The run (complete once [`step`](Self::step) has returned `false`).
    pub fn finish(mut self) -> LabRun {
        if self.replay.is_none() {
            while self.lifecycles.len() < self.seeds.len() {
                self.step();
            }
            self.replay = Some(Replay::new(&self.cfg, &self.lifecycles));
        }
        self.replay.expect("set above").finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_in_pieces_is_the_lab_run_and_progress_only_grows() {
        let cfg = LabConfig {
            rate: 2000,
            duration_s: 30,
            loss: 0.05,
            seed: 9,
            ..LabConfig::default()
        };
        let mut r = Runner::new(&cfg).unwrap();
        let mut last = r.progress();
        assert_eq!(last.fraction, 0.0);
        assert_eq!(last.label, "Simulating connection 1 of 64 with the engine");
        let mut steps = 0;
        while r.step() {
            steps += 1;
            let p = r.progress();
            assert!(p.fraction >= last.fraction && p.fraction <= 1.0, "{p:?}");
            last = p;
        }
        assert_eq!(
            steps,
            64 + 30 * 10 - 1,
            "64 lifecycles, then 30 seconds of 2,000 connect()s in tens"
        );
        assert_eq!(r.progress().fraction, 1.0);
        assert_eq!(r.finish(), farewell_lab::run(&cfg).unwrap());
    }

    #[test]
    fn a_bad_config_is_refused_before_any_work() {
        let cfg = LabConfig {
            rate: 0,
            ..LabConfig::default()
        };
        assert_eq!(Runner::new(&cfg).err().unwrap().field, "rate");
    }
}
