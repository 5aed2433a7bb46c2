//! The arithmetic of TIME_WAIT: accumulation is rate × TIME_WAIT, and ports run
//! out per (source IP, destination) after ports ÷ rate seconds.

mod lab;

use farewell_engine::Platform;
use farewell_lab::{Closer, LabConfig, PortRange};
use lab::*;

#[test]
fn steady_time_wait_is_rate_times_time_wait() {
    // Linux 60 s TIME_WAIT at 100 connections/s: 6,000 sockets, no limit binds.
    let run = lab(LabConfig {
        duration_s: 120,
        ..linux(100)
    });
    let s = &run.summary;
    assert_eq!(s.expected_time_wait, 6000.0);
    let steady = s.steady_time_wait as f64;
    assert!((steady - 6000.0).abs() <= 60.0, "steady TIME_WAIT {steady}");
    assert_eq!(s.connect_failures, 0);
    assert_eq!(s.tw_overflow, 0);
    // Still filling during the first minute: one second's worth more each second.
    assert!(run.rows[29].time_wait_client < run.rows[30].time_wait_client);
    assert_eq!(run.rows[119].time_wait_server, 0, "the client closed first");
}

/// illumos ends TIME_WAIT in batches, every 5 s of the lab's clock
/// (`tcp_time_wait.c:217-219`): the count climbs for 5 s and falls back at
/// each reaper run, and holds 62.5 s of connections on average, not 60 s.
#[test]
fn illumos_reaps_time_wait_every_5_s() {
    let run = lab(LabConfig {
        duration_s: 120,
        platform: Platform::Solaris,
        ..linux(100)
    });
    let s = &run.summary;
    assert_eq!(s.time_wait_s, 62.5);
    assert_eq!(s.expected_time_wait, 6250.0);
    let counts: Vec<u64> = run.rows[70..].iter().map(time_wait).collect();
    for (i, w) in counts.windows(2).enumerate() {
        // Row k is the end of second k + 1.
        let end_s = 70 + i + 2;
        if end_s % 5 == 0 {
            // Five seconds' worth reaped, one second's worth new.
            assert_eq!(w[0] - w[1], 400, "a run at {end_s} s: {w:?}");
        } else {
            assert_eq!(w[1], w[0] + 100, "between runs, at {end_s} s");
        }
    }
    let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    assert!((5_990..=6_010).contains(lo), "just after a run: {lo}");
    assert!((6_390..=6_410).contains(hi), "just before one: {hi}");
    // Read at the end of each second, just after a run at every fifth: 6,250
    // over the whole time, 6,200 at these instants.
    let mean = counts.iter().sum::<u64>() as f64 / counts.len() as f64;
    assert!((mean - 6_200.0).abs() < 20.0, "mean {mean}");
}

#[test]
fn ports_run_out_after_ports_divided_by_rate() {
    // 28,232 ports at 1,000/s to one destination: EADDRNOTAVAIL from ~28 s.
    let run = lab(linux(1000));
    let first = run.summary.first_failure_s.expect("ports must run out");
    assert!((28.0..28.5).contains(&first), "first failure at {first} s");
    assert_eq!(first_failure_row(&run), Some(28));
    let r = &run.rows[40];
    assert_eq!(r.ports_in_use, 28_232, "every port held");
    assert_eq!(r.connect_failures, 1000, "every connect fails");
    // ~469/s is the most this destination takes (28,232 ÷ 60.1 s).
    let max = run.summary.max_failure_free_rate.unwrap();
    assert!((465.0..475.0).contains(&max), "{max}");
}

#[test]
fn the_failure_free_rate_is_really_free_of_failures() {
    let under = lab(LabConfig {
        duration_s: 120,
        ..linux(465)
    });
    assert_eq!(under.summary.connect_failures, 0);
    let over = lab(LabConfig {
        duration_s: 120,
        ..linux(475)
    });
    assert!(over.summary.connect_failures > 0);
}

#[test]
fn more_source_ips_or_destinations_multiply_capacity() {
    let two_destinations = lab(LabConfig {
        destinations: 2,
        ..linux(1000)
    });
    let first = two_destinations.summary.first_failure_s.unwrap();
    assert!(
        (56.0..57.0).contains(&first),
        "two destinations fail at {first} s"
    );

    let three_ips = lab(LabConfig {
        source_ips: 3,
        ..linux(1000)
    });
    assert_eq!(three_ips.summary.connect_failures, 0);
    assert!(three_ips.summary.max_failure_free_rate.unwrap() > 1400.0);
}

#[test]
fn server_closing_first_puts_time_wait_on_the_server_at_most_one_per_client_four_tuple() {
    let run = lab(LabConfig {
        closer: Closer::Server,
        ..linux(1000)
    });
    let last = run.rows.last().unwrap();
    assert_eq!(run.summary.connect_failures, 0, "no client port exhaustion");
    assert_eq!(last.time_wait_client, 0);
    assert!(
        last.ports_in_use < 200,
        "ports held only while connections live"
    );
    // Not rate × 60 s = 60,000: connect() walks the 14,116 even ports of
    // 32768-60999 in random steps, and each new SYN on a 4-tuple the server
    // holds in TIME_WAIT takes that socket over (as the recorded
    // `server-close` shows), so the server keeps about one per port used.
    assert_eq!(run.summary.expected_time_wait, 60_000.0);
    let tw = last.time_wait_server;
    assert!((13_500..=14_116).contains(&tw), "{tw}");

    // More client addresses, more 4-tuples: 8 × 14,116 leave room for most
    // of the 60,000.
    let eight_ips = lab(LabConfig {
        closer: Closer::Server,
        source_ips: 8,
        ..linux(1000)
    });
    let tw8 = eight_ips.rows.last().unwrap().time_wait_server;
    assert!((40_000..=56_000).contains(&tw8), "{tw8}");

    // macOS walks its 16,384 ports one by one, every port every 16.4 s at
    // 1,000/s: each 4-tuple is in TIME_WAIT on the server but for the 100
    // whose connections (100 ms each) are still open.
    let macos = lab(LabConfig {
        closer: Closer::Server,
        platform: Platform::Macos,
        ..linux(1000)
    });
    let last = macos.rows.last().unwrap();
    assert_eq!(last.established, 100);
    assert_eq!(last.time_wait_server, 16_384 - 100);
}

#[test]
fn windows_240_s_time_wait_allows_about_68_connections_per_second() {
    let cfg = |rate| LabConfig {
        platform: Platform::Windows,
        duration_s: 600,
        ..linux(rate)
    };
    assert_eq!(
        cfg(68).port_range(),
        PortRange {
            lo: 49152,
            hi: 65535
        }
    );
    let ok = lab(cfg(68));
    let max = ok.summary.max_failure_free_rate.unwrap();
    assert!((68.0..68.5).contains(&max), "{max}");
    assert_eq!(ok.summary.connect_failures, 0);
    let over = lab(cfg(70));
    let first = over.summary.first_failure_s.unwrap();
    // 16,384 ports ÷ 70/s ≈ 234 s.
    assert!((233.0..235.0).contains(&first), "{first}");
}

#[test]
fn keep_alive_divides_the_connection_rate() {
    let run = lab(LabConfig {
        requests_per_connection: 10,
        ..linux(1000)
    });
    assert_eq!(run.summary.connect_failures, 0);
    assert_eq!(run.rows[10].connects, 100);
    assert!((5900..=6000).contains(&run.rows[59].time_wait_client));
}

#[test]
fn memory_counts_256_bytes_per_time_wait_and_2300_per_established() {
    let run = lab(linux(100));
    let r = &run.rows[30];
    assert_eq!(
        r.memory_bytes,
        (r.time_wait_client + r.time_wait_server) * 256 + r.established * 2300
    );
}

#[test]
fn a_burst_exhausts_ports_that_the_base_rate_does_not() {
    // 100/s, then 10,000/s from 10 s to 15 s: 1,000 ports held at 10 s, the
    // other 27,232 gone 2.7 s into the burst.
    let run = lab(LabConfig {
        burst: Some(farewell_lab::Burst {
            at_s: 10,
            for_s: 5,
            rate: 10_000,
        }),
        ..linux(100)
    });
    assert_eq!(run.rows[9].connects, 100);
    assert_eq!(run.rows[10].connects, 10_000);
    assert_eq!(run.rows[15].connects, 100);
    let first = run.summary.first_failure_s.unwrap();
    assert!((12.6..12.9).contains(&first), "{first}");
    assert_eq!(
        run.rows[20].connect_failures, 100,
        "still no port after the burst"
    );
}

#[test]
fn a_pool_that_never_closes_leaves_no_time_wait() {
    // 5,000 requests a second exhaust one destination's ports in 6 s when
    // each has its own connection; 64 pooled connections carry them all.
    let unpooled = lab(LabConfig {
        duration_s: 120,
        ..linux(5000)
    });
    assert!(unpooled.summary.connect_failures > 0);
    let run = lab(LabConfig {
        duration_s: 120,
        pool: Some(64),
        requests_per_connection: 0,
        ..linux(5000)
    });
    let s = &run.summary;
    assert_eq!(s.connects, 64, "opened once");
    assert_eq!(run.rows[0].connects, 64);
    assert!(run.rows[1..].iter().all(|r| r.connects == 0));
    assert_eq!((s.connect_failures, s.peak_time_wait), (0, 0));
    assert_eq!(s.expected_time_wait, 0.0);
    assert_eq!(
        s.max_failure_free_rate, None,
        "no rate runs this pool out of ports"
    );
    let last = run.rows.last().unwrap();
    assert_eq!((last.established, last.ports_in_use), (64, 64));
}

#[test]
fn a_pool_that_retires_connections_cycles_at_rate_over_requests_per_connection() {
    // 50 connections, each closed after 100 requests: 5,000 requests a
    // second make 50 new connections a second, so 50 × 60 s in TIME_WAIT.
    let run = lab(LabConfig {
        duration_s: 150,
        pool: Some(50),
        requests_per_connection: 100,
        ..linux(5000)
    });
    let s = &run.summary;
    assert_eq!(s.connection_rate, 50.0);
    assert_eq!(s.expected_time_wait, 3000.0);
    let steady = s.steady_time_wait as f64;
    assert!((steady - 3000.0).abs() <= 30.0, "steady TIME_WAIT {steady}");
    // Every 5,000 requests, each of the 50 slots opens once.
    assert_eq!(s.connects, 150 * 50);
    assert!(
        run.rows.iter().all(|r| r.connects == 50),
        "one cycle a second"
    );
    assert_eq!(s.connect_failures, 0);
    // The pool's 50, plus the retired ones still in their last 100 ms.
    let open = run.rows.last().unwrap().established;
    assert!((50..=60).contains(&open), "{open} open");
    // The ports left beside the pool's 50, held 60.1 s after each close.
    let max = s.max_failure_free_rate.unwrap();
    let want = (28_232.0 - 50.0) / 60.1 * 100.0;
    assert!((max - want).abs() / want < 0.01, "{max} against {want}");
}

#[test]
fn a_pool_closing_after_every_request_is_no_pool() {
    let base = linux(1000);
    let unpooled = lab(base.clone());
    let pooled = lab(LabConfig {
        pool: Some(10),
        ..base
    });
    assert!(unpooled.summary.connect_failures > 0);
    assert_eq!(pooled.rows, unpooled.rows);
}

#[test]
fn a_pool_larger_than_the_ports_fails_and_tries_again() {
    let run = lab(LabConfig {
        duration_s: 5,
        ports: Some(PortRange {
            lo: 40000,
            hi: 40099,
        }),
        pool: Some(150),
        requests_per_connection: 0,
        ..linux(1000)
    });
    let s = &run.summary;
    let last = run.rows.last().unwrap();
    assert_eq!((last.ports_in_use, last.established), (100, 100));
    // The 50 slots without a port try again on each of their requests.
    assert_eq!(s.connects, 100 + s.connect_failures);
    // Slots 100-149 get requests 100-149 of every 150: 33 rounds in 5,000.
    assert_eq!(s.connect_failures, 33 * 50);
    assert_eq!(s.peak_time_wait, 0);
}

#[test]
fn on_macos_more_destinations_do_not_add_ports() {
    // xnu binds the port before connecting: 16,384 ports for all four
    // destinations, held 30 s in TIME_WAIT, run out at 1,000/s after ~16.4 s.
    let mac = lab(LabConfig {
        platform: Platform::Macos,
        destinations: 4,
        ..linux(1000)
    });
    let first = mac.summary.first_failure_s.expect("ports must run out");
    assert!((16.0..17.0).contains(&first), "first failure at {first} s");
    let most = mac.rows.iter().map(|r| r.ports_in_use).max();
    assert_eq!(most, Some(16_384), "every port, once for all destinations");
    let max = mac.summary.max_failure_free_rate.unwrap();
    assert!((530.0..550.0).contains(&max), "{max}");
    // FreeBSD shares a port across destinations as Linux does: 55,536 ports
    // (every one of 10000-65535) per destination, held 60 s.
    let bsd = |destinations| {
        lab(LabConfig {
            platform: Platform::Freebsd,
            duration_s: 80,
            destinations,
            ..linux(1000)
        })
    };
    let one = bsd(1);
    let first = one
        .summary
        .first_failure_s
        .expect("one destination runs out");
    assert!((55.5..56.0).contains(&first), "first failure at {first} s");
    assert_eq!(bsd(2).summary.connect_failures, 0);
}
