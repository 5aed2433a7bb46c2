//! Lab links, property-tested: any valid config survives the link, and any
//! text at all is read or refused with a short message, never a panic.

use farewell_engine::Platform;
use farewell_lab::{Burst, Closer, LabConfig, PortRange};
use farewell_lab_view::knobs::{from_fragment, set_text, to_fragment, KNOBS};
use proptest::prelude::*;

fn cases() -> u32 {
    if std::env::var_os("FAREWELL_EXHAUSTIVE").is_some() {
        12_800
    } else {
        256
    }
}

fn config() -> impl Strategy<Value = LabConfig> {
    (
        (
            0..6usize,
            1..=100_000u32,
            1..=600u32,
            any::<bool>(),
            any::<bool>(),
        ),
        (
            1..=8u32,
            1..=8u32,
            0..=2u8,
            any::<bool>(),
            prop::option::of(any::<bool>()),
        ),
        (
            prop::option::of(0..=200_000u32),
            0..=10_000u32,
            0.0..3_600_000.0f64,
            0.0..10_000.0f64,
            0.0..0.5f64,
        ),
        (
            prop::option::of(0.0..3_600_000.0f64),
            any::<u64>(),
            prop::option::of((1..30_000u16, 2..30_000u16)),
        ),
        (
            prop::option::of((0..600u32, 1..=100_000u32)),
            any::<bool>(),
            0.0..1.0f64,
            prop::option::of(1..=100_000u32),
        ),
    )
        .prop_map(|(a, b, c, d, e)| {
            let mut cfg = LabConfig {
                platform: Platform::ALL[a.0],
                rate: a.1,
                duration_s: a.2,
                closer: if a.3 { Closer::Client } else { Closer::Server },
                loopback: a.4,
                source_ips: b.0,
                destinations: b.1,
                tw_reuse: b.2,
                timestamps: b.4,
                max_tw_buckets: c.0,
                requests_per_connection: if e.3.is_none() { c.1.max(1) } else { c.1 },
                pool: e.3,
                conn_ms: c.2,
                delay_ms: c.3,
                loss: c.4,
                time_wait_ms: d.0,
                seed: d.1,
                ports: d.2.map(|(lo, len)| PortRange {
                    lo,
                    hi: lo.saturating_add(len),
                }),
                ..LabConfig::default()
            };
            if b.3 {
                cfg.restart_at_s = Some(e.2 * f64::from(cfg.duration_s));
                cfg.reuseaddr = e.1;
            }
            if let Some((at, rate)) = e.0 {
                let at = at % cfg.duration_s;
                cfg.burst = Some(Burst {
                    at_s: at,
                    for_s: (cfg.duration_s - at).min(5),
                    rate,
                });
            }
            if cfg.source_ips * cfg.destinations > 64 {
                cfg.destinations = 64 / cfg.source_ips;
            }
            cfg
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn every_valid_config_survives_its_link(cfg in config()) {
        prop_assert!(cfg.validate().is_ok(), "{:?}", cfg.validate());
        let link = to_fragment(&cfg);
        prop_assert_eq!(from_fragment(&link), Ok(cfg));
    }

    #[test]
    fn any_link_is_read_or_refused_briefly(text in "\\PC{0,300}|([a-z-]{1,24}=[0-9a-z.@+\\-]{0,12}&?){0,8}") {
        match from_fragment(&text) {
            Ok(cfg) => prop_assert!(cfg.validate().is_ok()),
            Err(e) => {
                let m = e.to_string();
                prop_assert!(m.len() < 600 && !m.contains(char::is_control), "{m}");
            }
        }
    }

    #[test]
    fn a_field_that_does_not_read_changes_nothing(knob in 0..KNOBS.len(), text in "\\PC{0,40}") {
        let mut cfg = LabConfig::default();
        let before = cfg.clone();
        if set_text(&mut cfg, KNOBS[knob].0, &text).is_err() {
            prop_assert_eq!(cfg, before);
        }
    }
}
