//! Full connection lifecycles simulated per second (`cargo bench -p farewell-engine`).
//!
//! Each iteration runs one built-in scenario from its first event to both hosts
//! CLOSED, through a reused [`Simulation`] into a [`CountingSink`] (events are
//! built but not kept, as a consumer that streams them would). Divan reports the
//! time per lifecycle; lifecycles/s = 1 / that, and events/s = events per
//! lifecycle (printed first) / that. `lifecycle_with_timestamps` runs two of them
//! with TCP timestamps on.
//!
//! The benches into a `CountingSink` take 1,000 samples of 500 lifecycles
//! (about 0.7 s each): on a shared virtual machine, divan's default 100 short
//! samples gave medians 1.8 times apart from run to run. The one that keeps
//! traces keeps divan's defaults: divan drops a sample's outputs only after
//! timing it, and 500 traces held at once made each lifecycle 2.7 times as
//! slow.

use farewell_engine::sim::CountingSink;
use farewell_engine::{builtin, Simulation};

fn main() {
    for id in BENCHED {
        let mut sink = CountingSink::default();
        Simulation::default().run(&builtin::get(id).unwrap(), &mut sink);
        println!("{id}: {} trace events per lifecycle", sink.0);
    }
    divan::main();
}

const BENCHED: [&str; 4] = [
    "normal-close",
    "three-segment-close",
    "lost-final-ack",
    "handshake-and-close",
];

#[divan::bench(args = BENCHED, sample_count = 1000, sample_size = 500)]
fn lifecycle(bencher: divan::Bencher, id: &str) {
    let scenario = builtin::get(id).unwrap();
    let mut sim = Simulation::default();
    bencher
        .counter(divan::counter::ItemsCount::new(1usize))
        .bench_local(|| {
            let mut sink = CountingSink::default();
            sim.run(divan::black_box(&scenario), &mut sink);
            sink.0
        });
}

/// The same with the trace kept in memory (what the playground does).
#[divan::bench(args = BENCHED)]
fn lifecycle_with_trace(bencher: divan::Bencher, id: &str) {
    let scenario = builtin::get(id).unwrap();
    bencher
        .counter(divan::counter::ItemsCount::new(1usize))
        .bench_local(|| farewell_engine::simulate(divan::black_box(&scenario)));
}

/// [`lifecycle`] with TCP timestamps on (`tunables.timestamps`), as Linux runs by
/// default: TSval/TSecr on every segment, PAWS on every arrival.
#[divan::bench(args = ["normal-close", "handshake-and-close"], sample_count = 1000, sample_size = 500)]
fn lifecycle_with_timestamps(bencher: divan::Bencher, id: &str) {
    let mut scenario = builtin::get(id).unwrap();
    scenario.tunables.timestamps = Some(true);
    let mut sim = Simulation::default();
    bencher
        .counter(divan::counter::ItemsCount::new(1usize))
        .bench_local(|| {
            let mut sink = CountingSink::default();
            sim.run(divan::black_box(&scenario), &mut sink);
            sink.0
        });
}
