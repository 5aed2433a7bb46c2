//! Lab connections replayed per second (`cargo bench -p farewell-lab`).
//!
//! Each iteration replays a whole run (lifecycle sampled once, outside the
//! timing); divan's item counter is the number of connect() calls, so its
//! throughput is connections per second.

use farewell_lab::{replay, sample, Closer, LabConfig};

fn main() {
    divan::main();
}

fn config(name: &str) -> LabConfig {
    let base = LabConfig {
        rate: 100_000,
        duration_s: 60,
        ..LabConfig::default()
    };
    match name {
        // 100,000/s to 64 destinations: ports never run out, 6 M in TIME_WAIT
        // capped at 131072.
        "client-closes-64-destinations" => LabConfig {
            destinations: 64,
            max_tw_buckets: Some(u32::MAX),
            ..base
        },
        "server-closes" => LabConfig {
            closer: Closer::Server,
            max_tw_buckets: Some(u32::MAX),
            ..base
        },
        // 5 % loss: 64 sampled lifecycles (several distinct rings).
        "lossy-64-destinations" => LabConfig {
            destinations: 64,
            loss: 0.05,
            max_tw_buckets: Some(u32::MAX),
            ..base
        },
        // One destination: ports run out after 0.3 s, then every connect fails.
        _ => base,
    }
}

const CASES: [&str; 4] = [
    "client-closes-64-destinations",
    "lossy-64-destinations",
    "server-closes",
    "exhausted-one-destination",
];

#[divan::bench(args = CASES, sample_count = 5, sample_size = 1)]
fn run(bencher: divan::Bencher, name: &str) {
    let cfg = config(name);
    let lifecycles = sample(&cfg);
    let connections = u64::from(cfg.rate) * u64::from(cfg.duration_s);
    bencher
        .counter(divan::counter::ItemsCount::new(connections))
        .bench_local(|| replay(divan::black_box(&cfg), &lifecycles).summary.connects);
}
