//! How long the pcap export takes (the web app builds it on a click):
//! `cargo bench -p farewell-export`.

use farewell_engine::{builtin, simulate};

fn main() {
    divan::main();
}

/// Export only: the trace is simulated once, outside the measurement.
#[divan::bench(args = ["normal-close", "old-duplicate", "fin-lost-twice"])]
fn export(bencher: divan::Bencher, id: &str) {
    let scenario = builtin::get(id).expect("built-in");
    let trace = simulate(&scenario);
    bencher.bench_local(|| farewell_export::pcap(divan::black_box(&trace), &scenario));
}

/// Simulation plus export: what "Download pcap" costs from a scenario.
#[divan::bench]
fn simulate_and_export_normal_close(bencher: divan::Bencher) {
    let scenario = builtin::get("normal-close").expect("built-in");
    bencher.bench_local(|| {
        let trace = simulate(divan::black_box(&scenario));
        farewell_export::pcap(&trace, &scenario)
    });
}
