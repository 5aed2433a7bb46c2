//! The messages between the lab page and its Web Worker, and their bytes.
//!
//! The page sends a [`Job`]: a generation number and the configs to run (the
//! run itself, then each remedy), each as its link fragment
//! (`farewell_lab_view::knobs`, exact for every valid config, seeds above
//! 2^53 included). The worker answers with [`Report`]s.
//!
//! The bytes are bincode 1's (its default options: little-endian fixed-width
//! integers, `u64` lengths, `u32` enum variant numbers, a `u8` tag for
//! `Option`), written and read by hand: gloo-worker with bincode and serde's
//! derives carried about 20 KB of the lab's module for these few types. The
//! tests hold this codec to bincode itself, byte for byte, in both
//! directions. Reading never panics: bytes that are not a whole message are
//! `None`.

use farewell_lab::{LabRun, Row, Summary};

/// What the page asks: run `configs[0]`, then the remedies `configs[1..]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub generation: u32,
    /// Link fragments (`to_fragment`).
    pub configs: Vec<String>,
}

/// What the worker says, each for one generation.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// The main run is under way: `rows` are the seconds replayed since the
    /// last report.
    Progress {
        generation: u32,
        fraction: f64,
        label: String,
        rows: Vec<Row>,
    },
    /// The main run, complete.
    Done {
        generation: u32,
        rows: Vec<Row>,
        summary: Summary,
    },
    /// The remedies are under way (sent after [`Report::Done`], so the page
    /// draws the run's results and the remedies table in two tasks).
    RemediesStarted { generation: u32 },
    /// Remedy `index` (0 is `configs[1]`), complete.
    Remedy {
        generation: u32,
        index: usize,
        summary: Summary,
    },
    /// A config the worker could not read or run (the page checks them
    /// first, so this means page and worker disagree), or a worker that
    /// could not start.
    Refused { generation: u32, message: String },
}

impl Report {
    pub fn generation(&self) -> u32 {
        match self {
            Report::Progress { generation, .. }
            | Report::Done { generation, .. }
            | Report::RemediesStarted { generation }
            | Report::Remedy { generation, .. }
            | Report::Refused { generation, .. } => *generation,
        }
    }

    /// The finished run of a [`Report::Done`].
    pub fn run(rows: Vec<Row>, summary: Summary) -> LabRun {
        LabRun { rows, summary }
    }
}

/// Bytes being written.
#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.f64(v);
            }
        }
    }
    fn row(&mut self, r: &Row) {
        let Row {
            t_s,
            established,
            time_wait_client,
            time_wait_server,
            ports_in_use,
            connects,
            connect_failures,
            tw_reused,
            tw_overflow,
            memory_bytes,
            bind,
        } = r;
        self.u32(*t_s);
        for v in [
            established,
            time_wait_client,
            time_wait_server,
            ports_in_use,
            connects,
            connect_failures,
            tw_reused,
            tw_overflow,
            memory_bytes,
        ] {
            self.u64(*v);
        }
        self.u64(bind.len() as u64);
        for b in bind {
            self.str(b);
        }
    }
    fn rows(&mut self, rows: &[Row]) {
        self.u64(rows.len() as u64);
        for r in rows {
            self.row(r);
        }
    }
    fn summary(&mut self, s: &Summary) {
        let Summary {
            time_wait_s,
            connection_rate,
            expected_time_wait,
            steady_time_wait,
            peak_time_wait,
            peak_memory_bytes,
            connects,
            connect_failures,
            connect_refused,
            tw_reused,
            tw_overflow,
            first_failure_s,
            max_failure_free_rate,
            listener_up_s,
        } = s;
        for v in [time_wait_s, connection_rate, expected_time_wait] {
            self.f64(*v);
        }
        for v in [
            steady_time_wait,
            peak_time_wait,
            peak_memory_bytes,
            connects,
            connect_failures,
            connect_refused,
            tw_reused,
            tw_overflow,
        ] {
            self.u64(*v);
        }
        for v in [first_failure_s, max_failure_free_rate, listener_up_s] {
            self.opt_f64(*v);
        }
    }
}

/// Bytes being read; every read is `None` past the end or on a bad value.
struct In<'a>(&'a [u8]);

impl In<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }
    fn f64(&mut self) -> Option<f64> {
        self.u64().map(f64::from_bits)
    }
    /// A length, no more than the bytes left could hold (each item takes at
    /// least one byte), so a bad length cannot make a huge allocation.
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }
    fn str(&mut self) -> Option<String> {
        let n = self.len()?;
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).ok()
    }
    fn opt_f64(&mut self) -> Option<Option<f64>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.f64()?)),
            _ => None,
        }
    }
    fn row(&mut self) -> Option<Row> {
        Some(Row {
            t_s: self.u32()?,
            established: self.u64()?,
            time_wait_client: self.u64()?,
            time_wait_server: self.u64()?,
            ports_in_use: self.u64()?,
            connects: self.u64()?,
            connect_failures: self.u64()?,
            tw_reused: self.u64()?,
            tw_overflow: self.u64()?,
            memory_bytes: self.u64()?,
            bind: {
                let n = self.len()?;
                (0..n).map(|_| self.str()).collect::<Option<_>>()?
            },
        })
    }
    fn rows(&mut self) -> Option<Vec<Row>> {
        let n = self.len()?;
        (0..n).map(|_| self.row()).collect()
    }
    fn summary(&mut self) -> Option<Summary> {
        Some(Summary {
            time_wait_s: self.f64()?,
            connection_rate: self.f64()?,
            expected_time_wait: self.f64()?,
            steady_time_wait: self.u64()?,
            peak_time_wait: self.u64()?,
            peak_memory_bytes: self.u64()?,
            connects: self.u64()?,
            connect_failures: self.u64()?,
            connect_refused: self.u64()?,
            tw_reused: self.u64()?,
            tw_overflow: self.u64()?,
            first_failure_s: self.opt_f64()?,
            max_failure_free_rate: self.opt_f64()?,
            listener_up_s: self.opt_f64()?,
        })
    }
    /// The value read, if it used every byte.
    fn end<T>(self, v: Option<T>) -> Option<T> {
        v.filter(|_| self.0.is_empty())
    }
}

impl Job {
    pub fn encode(&self) -> Vec<u8> {
        let mut o = Out::default();
        o.u32(self.generation);
        o.u64(self.configs.len() as u64);
        for c in &self.configs {
            o.str(c);
        }
        o.0
    }

    pub fn decode(bytes: &[u8]) -> Option<Job> {
        let mut i = In(bytes);
        let job = (|| {
            let generation = i.u32()?;
            let n = i.len()?;
            let configs = (0..n).map(|_| i.str()).collect::<Option<_>>()?;
            Some(Job {
                generation,
                configs,
            })
        })();
        i.end(job)
    }
}

impl Report {
    pub fn encode(&self) -> Vec<u8> {
        let mut o = Out::default();
        match self {
            Report::Progress {
                generation,
                fraction,
                label,
                rows,
            } => {
                o.u32(0);
                o.u32(*generation);
                o.f64(*fraction);
                o.str(label);
                o.rows(rows);
            }
            Report::Done {
                generation,
                rows,
                summary,
            } => {
                o.u32(1);
                o.u32(*generation);
                o.rows(rows);
                o.summary(summary);
            }
            Report::RemediesStarted { generation } => {
                o.u32(2);
                o.u32(*generation);
            }
            Report::Remedy {
                generation,
                index,
                summary,
            } => {
                o.u32(3);
                o.u32(*generation);
                o.u64(*index as u64);
                o.summary(summary);
            }
            Report::Refused {
                generation,
                message,
            } => {
                o.u32(4);
                o.u32(*generation);
                o.str(message);
            }
        }
        o.0
    }

    pub fn decode(bytes: &[u8]) -> Option<Report> {
        let mut i = In(bytes);
        let report = (|| {
            Some(match i.u32()? {
                0 => Report::Progress {
                    generation: i.u32()?,
                    fraction: i.f64()?,
                    label: i.str()?,
                    rows: i.rows()?,
                },
                1 => Report::Done {
                    generation: i.u32()?,
                    rows: i.rows()?,
                    summary: i.summary()?,
                },
                2 => Report::RemediesStarted {
                    generation: i.u32()?,
                },
                3 => Report::Remedy {
                    generation: i.u32()?,
                    index: usize::try_from(i.u64()?).ok()?,
                    summary: i.summary()?,
                },
                4 => Report::Refused {
                    generation: i.u32()?,
                    message: i.str()?,
                },
                _ => return None,
            })
        })();
        i.end(report)
    }
}

#[cfg(test)]
mod tests {
    //! The codec against bincode 1, the crate it replaces: the same bytes
    //! from the same values, and the same values back from bincode's bytes.
    //! bincode is given mirrors of the lab's types without their
    //! `skip_serializing_if` attributes (which bincode cannot read back),
    //! built by destructuring every field, so a field added to the lab's
    //! types stops the tests compiling until the codec carries it too.

    use super::*;
    use farewell_lab::{Closer, LabConfig};
    use serde::{Deserialize, Serialize};

    macro_rules! mirror {
        ($wire:ident for $ty:ident { $($field:ident: $t:ty),* $(,)? }) => {
            #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
            struct $wire {
                $($field: $t),*
            }

            impl From<$ty> for $wire {
                fn from(v: $ty) -> Self {
                    let $ty { $($field),* } = v;
                    $wire { $($field),* }
                }
            }

            impl From<$wire> for $ty {
                fn from(v: $wire) -> Self {
                    let $wire { $($field),* } = v;
                    $ty { $($field),* }
                }
            }
        };
    }

    mirror! {
        RowB for Row {
            t_s: u32,
            established: u64,
            time_wait_client: u64,
            time_wait_server: u64,
            ports_in_use: u64,
            connects: u64,
            connect_failures: u64,
            tw_reused: u64,
            tw_overflow: u64,
            memory_bytes: u64,
            bind: Vec<String>,
        }
    }

    mirror! {
        SummaryB for Summary {
            time_wait_s: f64,
            connection_rate: f64,
            expected_time_wait: f64,
            steady_time_wait: u64,
            peak_time_wait: u64,
            peak_memory_bytes: u64,
            connects: u64,
            connect_failures: u64,
            connect_refused: u64,
            tw_reused: u64,
            tw_overflow: u64,
            first_failure_s: Option<f64>,
            max_failure_free_rate: Option<f64>,
            listener_up_s: Option<f64>,
        }
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct JobB {
        generation: u32,
        configs: Vec<String>,
    }

    /// [`Report`] as the lab sent it through gloo-worker's bincode codec.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    enum ReportB {
        Progress {
            generation: u32,
            fraction: f64,
            label: String,
            rows: Vec<RowB>,
        },
        Done {
            generation: u32,
            rows: Vec<RowB>,
            summary: SummaryB,
        },
        RemediesStarted {
            generation: u32,
        },
        Remedy {
            generation: u32,
            index: usize,
            summary: SummaryB,
        },
        Refused {
            generation: u32,
            message: String,
        },
    }

    fn rows_b(rows: &[Row]) -> Vec<RowB> {
        rows.iter().cloned().map(RowB::from).collect()
    }

    impl From<&Report> for ReportB {
        fn from(r: &Report) -> Self {
            match r.clone() {
                Report::Progress {
                    generation,
                    fraction,
                    label,
                    rows,
                } => ReportB::Progress {
                    generation,
                    fraction,
                    label,
                    rows: rows_b(&rows),
                },
                Report::Done {
                    generation,
                    rows,
                    summary,
                } => ReportB::Done {
                    generation,
                    rows: rows_b(&rows),
                    summary: summary.into(),
                },
                Report::RemediesStarted { generation } => ReportB::RemediesStarted { generation },
                Report::Remedy {
                    generation,
                    index,
                    summary,
                } => ReportB::Remedy {
                    generation,
                    index,
                    summary: summary.into(),
                },
                Report::Refused {
                    generation,
                    message,
                } => ReportB::Refused {
                    generation,
                    message,
                },
            }
        }
    }

    impl From<ReportB> for Report {
        fn from(r: ReportB) -> Self {
            let rows = |rows: Vec<RowB>| rows.into_iter().map(Row::from).collect();
            match r {
                ReportB::Progress {
                    generation,
                    fraction,
                    label,
                    rows: r,
                } => Report::Progress {
                    generation,
                    fraction,
                    label,
                    rows: rows(r),
                },
                ReportB::Done {
                    generation,
                    rows: r,
                    summary,
                } => Report::Done {
                    generation,
                    rows: rows(r),
                    summary: summary.into(),
                },
                ReportB::RemediesStarted { generation } => Report::RemediesStarted { generation },
                ReportB::Remedy {
                    generation,
                    index,
                    summary,
                } => Report::Remedy {
                    generation,
                    index,
                    summary: summary.into(),
                },
                ReportB::Refused {
                    generation,
                    message,
                } => Report::Refused {
                    generation,
                    message,
                },
            }
        }
    }

    /// Runs whose messages carry every kind of field: a restart (rows with
    /// bind outcomes, a `listener_up_s`), failures (`first_failure_s`), and
    /// a plain run (`None`s).
    fn runs() -> Vec<LabRun> {
        let restart = LabConfig {
            rate: 2000,
            duration_s: 120,
            closer: Closer::Server,
            restart_at_s: Some(10.0),
            ..LabConfig::default()
        };
        let runs = vec![
            farewell_lab::run(&restart).unwrap(),
            farewell_lab::run(&LabConfig::default()).unwrap(),
            farewell_lab::run(&LabConfig {
                rate: 100,
                duration_s: 5,
                ..LabConfig::default()
            })
            .unwrap(),
        ];
        assert!(runs[0].rows.iter().any(|r| !r.bind.is_empty()), "a restart");
        assert!(runs[0].summary.listener_up_s.is_some());
        assert!(runs[1].summary.first_failure_s.is_some());
        assert_eq!(runs[2].summary.first_failure_s, None);
        runs
    }

    fn reports() -> Vec<Report> {
        let mut out = Vec::new();
        for (g, run) in runs().into_iter().enumerate() {
            let generation = g as u32 * 1_000_003 + 7;
            out.push(Report::Progress {
                generation,
                fraction: 0.1 + g as f64 / 3.0,
                label: "Replaying second 12 of 600 — “ünïcode”".into(),
                rows: run.rows[..run.rows.len().min(12)].to_vec(),
            });
            out.push(Report::Done {
                generation,
                rows: run.rows.clone(),
                summary: run.summary.clone(),
            });
            out.push(Report::RemediesStarted { generation });
            out.push(Report::Remedy {
                generation,
                index: g + 5,
                summary: run.summary.clone(),
            });
            out.push(Report::Refused {
                generation,
                message: format!("rate: must be 1 to 100000 per second, got {g}"),
            });
        }
        out.push(Report::Progress {
            generation: u32::MAX,
            fraction: f64::NAN,
            label: String::new(),
            rows: Vec::new(),
        });
        out
    }

    #[test]
    fn reports_are_bincodes_bytes_both_ways() {
        for r in reports() {
            let bytes = r.encode();
            let b = ReportB::from(&r);
            assert_eq!(bytes, bincode::serialize(&b).unwrap(), "{r:?}");
            let back = Report::decode(&bytes).expect("reads back");
            // NaN != NaN: compare the bytes of what came back.
            assert_eq!(back.encode(), bytes);
            let from_bincode: Report = bincode::deserialize::<ReportB>(&bytes).unwrap().into();
            assert_eq!(from_bincode.encode(), back.encode());
            if !matches!(&r, Report::Progress { fraction, .. } if fraction.is_nan()) {
                assert_eq!(back, r);
            }
        }
    }

    #[test]
    fn jobs_are_bincodes_bytes_both_ways() {
        for job in [
            Job {
                generation: 0,
                configs: vec![String::new()],
            },
            Job {
                generation: 41,
                configs: vec![
                    "rate=5000&tw-reuse=1".into(),
                    "seed=18446744073709551615&loss=0.05".into(),
                    "ünï".into(),
                ],
            },
            Job {
                generation: u32::MAX,
                configs: Vec::new(),
            },
        ] {
            let b = JobB {
                generation: job.generation,
                configs: job.configs.clone(),
            };
            let bytes = bincode::serialize(&b).unwrap();
            assert_eq!(job.encode(), bytes);
            assert_eq!(Job::decode(&bytes), Some(job));
        }
    }

    #[test]
    fn bytes_that_are_not_a_whole_message_are_refused() {
        for r in reports().into_iter().take(6) {
            let bytes = r.encode();
            // Every truncation, and a byte too many.
            for n in 0..bytes.len() {
                assert_eq!(Report::decode(&bytes[..n]), None, "{n} of {}", bytes.len());
            }
            let mut long = bytes.clone();
            long.push(0);
            assert_eq!(Report::decode(&long), None);
        }
        // An unknown variant, a bad Option tag, a length past the end,
        // text that is not UTF-8.
        assert_eq!(Report::decode(&[5, 0, 0, 0, 1, 0, 0, 0]), None);
        let mut bad_tag = Report::Remedy {
            generation: 1,
            index: 0,
            summary: runs()[2].summary.clone(),
        }
        .encode();
        let n = bad_tag.len();
        bad_tag[n - 1] = 2;
        assert_eq!(Report::decode(&bad_tag), None);
        let mut huge = vec![4, 0, 0, 0, 1, 0, 0, 0];
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(Report::decode(&huge), None);
        let mut not_utf8 = vec![4, 0, 0, 0, 1, 0, 0, 0];
        not_utf8.extend_from_slice(&2u64.to_le_bytes());
        not_utf8.extend_from_slice(&[0xff, 0xfe]);
        assert_eq!(Report::decode(&not_utf8), None);
        assert_eq!(Job::decode(&[1, 0, 0]), None);
    }
}
