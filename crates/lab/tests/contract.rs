//! The lab as a contract: deterministic runs, JSON names, knob errors.

mod lab;

use farewell_lab::{run, LabConfig};
use lab::*;

#[test]
fn same_config_gives_the_same_rows() {
    let cfg = LabConfig {
        loss: 0.05,
        seed: 7,
        ..linux(2000)
    };
    assert_eq!(lab(cfg.clone()), lab(cfg.clone()));
    let other_seed = lab(LabConfig { seed: 8, ..cfg });
    assert!(other_seed.summary.connects > 0);
}

#[test]
fn loss_samples_several_lifecycles() {
    let cfg = LabConfig {
        loss: 0.2,
        seed: 3,
        ..linux(100)
    };
    let samples = farewell_lab::sample(&cfg);
    assert_eq!(samples.len(), 64);
    let first = samples[0];
    assert!(
        samples.iter().any(|l| *l != first),
        "loss changes timelines"
    );
    let r = lab(cfg);
    assert!(r.summary.steady_time_wait > 5000);
}

#[test]
fn rows_use_the_issue_field_names() {
    let r = lab(LabConfig {
        duration_s: 2,
        ..linux(10)
    });
    let v = serde_json::to_value(&r.rows[0]).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = [
        "t_s",
        "established",
        "time_wait_client",
        "time_wait_server",
        "ports_in_use",
        "connects",
        "connect_failures",
        "tw_reused",
        "tw_overflow",
        "memory_bytes",
    ];
    want.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, want);
}

#[test]
fn bad_knobs_name_the_knob() {
    let field = |cfg: LabConfig| run(&cfg).unwrap_err().field;
    assert_eq!(field(linux(0)), "rate");
    assert_eq!(field(linux(100_001)), "rate");
    assert_eq!(
        field(LabConfig {
            duration_s: 601,
            ..linux(1)
        }),
        "duration_s"
    );
    assert_eq!(
        field(LabConfig {
            ports: Some(farewell_lab::PortRange { lo: 5000, hi: 4000 }),
            ..linux(1)
        }),
        "ports"
    );
    assert_eq!(
        field(LabConfig {
            tw_reuse: 3,
            ..linux(1)
        }),
        "tw_reuse"
    );
    assert_eq!(
        field(LabConfig {
            loss: -0.1,
            ..linux(1)
        }),
        "loss"
    );
    let burst = |at_s, for_s, rate| LabConfig {
        burst: Some(farewell_lab::Burst { at_s, for_s, rate }),
        ..linux(1)
    };
    assert_eq!(field(burst(10, 5, 0)), "burst.rate");
    assert_eq!(field(burst(58, 5, 100)), "burst.for_s");
    let e = run(&linux(0)).unwrap_err().to_string();
    assert!(e.contains("1 to 100000"), "{e}");
}

#[test]
fn config_json_rejects_unknown_knobs_and_fills_defaults() {
    let cfg: LabConfig = serde_json::from_str(r#"{"rate": 500, "closer": "server"}"#).unwrap();
    assert_eq!(cfg.rate, 500);
    assert_eq!(cfg.duration_s, 60);
    assert!(serde_json::from_str::<LabConfig>(r#"{"rates": 5}"#).is_err());
}
