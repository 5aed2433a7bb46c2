//! Lab connections replayed per second (`cargo bench -p farewell-lab`).
//!
//! Each iteration replays a whole run (lifecycle sampled once, outside the
//! timing); divan's item counter is the number of connect() calls (of
//! requests for the pool case), so its throughput is connections per second.

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
        // A pool of 64 connections, each closed after 1,000 requests: the loop
        // walks 6 M requests and opens 6,000 connections (items are requests).
        "pool-64-cycling" => LabConfig {
            pool: Some(64),
            requests_per_connection: 1000,
            ..base
        },
        // One destination: ports run out after 0.3 s, then every connect fails.
        _ => base,
    }
}

const CASES: [&str; 5] = [
    "client-closes-64-destinations",
    "lossy-64-destinations",
    "server-closes",
    "exhausted-one-destination",
    "pool-64-cycling",
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
