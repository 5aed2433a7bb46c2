//! `decode(encode(f)) == f` for built-ins with random edits, and for custom
//! scenarios.

use farewell_engine::scenario::MAX_MS;
use farewell_engine::{builtin, Action, Do, DropRule, Host, Platform, SegmentKind};
use farewell_share::{decode, encode, Controls, Embed, Fragment, Speed};
use proptest::prelude::*;
use proptest::sample::select;

/// Milliseconds as edits produce them: round, fractional, tiny and huge.
fn ms(zero_ok: bool) -> impl Strategy<Value = f64> {
    let low = if zero_ok { 0.0 } else { f64::MIN_POSITIVE };
    prop_oneof![
        (0u32..100_000).prop_map(f64::from),
        low..1000.0,
        low..MAX_MS,
        Just(MAX_MS),
        Just(5e-324),
    ]
    .prop_filter("in range", move |v| {
        *v <= MAX_MS && if zero_ok { *v >= 0.0 } else { *v > 0.0 }
    })
}

/// Milliseconds as a person types them: at most 15 significant digits, 0 or
/// at least 10⁻⁷, so they read back exactly through the JSON in `c` too.
fn typed_ms() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..100_000).prop_map(f64::from),
        (0u64..1_000_000_000_000_000, 7i32..=15).prop_map(|(digits, scale)| format!(
            "{digits}e-{scale}"
        )
        .parse::<f64>()
        .unwrap()),
    ]
    .prop_filter("in range", |v| *v <= MAX_MS && (*v == 0.0 || *v >= 1e-7))
}

fn host() -> impl Strategy<Value = Host> {
    select(vec![Host::A, Host::B])
}

fn drop_rule() -> impl Strategy<Value = DropRule> {
    (
        host(),
        select(SegmentKind::ALL.to_vec()),
        ms(true),
        prop_oneof![Just(1u32), 1u32..5, Just(u32::MAX)],
        prop_oneof![Just(1u32), 1u32..5, Just(u32::MAX)],
    )
        .prop_map(|(from, kind, after_ms, nth, count)| DropRule {
            from,
            kind,
            after_ms,
            nth,
            count,
        })
}

fn speed() -> impl Strategy<Value = Option<Speed>> {
    prop_oneof![Just(None), select(Speed::ALL.to_vec()).prop_map(Some)]
}

fn embed() -> impl Strategy<Value = Embed> {
    (any::<bool>(), select(Controls::ALL.to_vec()), any::<bool>()).prop_map(
        |(enabled, controls, autoplay)| Embed {
            enabled,
            controls,
            autoplay,
        },
    )
}

/// A built-in with the edits the playground's controls make.
fn edited_builtin() -> impl Strategy<Value = Fragment> {
    (
        select(builtin::ids().collect::<Vec<_>>()),
        (
            proptest::option::of(select(Platform::ALL.to_vec())),
            proptest::option::of(proptest::option::of(ms(false))),
            proptest::option::of(ms(true)),
            proptest::option::of(prop_oneof![0.0..=1.0, Just(0.05), Just(1.0)]),
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(proptest::collection::vec(drop_rule(), 0..4)),
        ),
        prop_oneof![Just(0.0), ms(true)],
        (speed(), any::<bool>()),
        embed(),
    )
        .prop_map(
            |(id, (platform, msl, delay, loss, seed, hs, drops), time_ms, (speed, fit), embed)| {
                let mut f = Fragment::from_builtin(id).unwrap();
                let s = &mut f.scenario;
                if let Some(v) = platform {
                    s.platform = v;
                }
                if let Some(v) = msl {
                    s.msl_ms = v;
                }
                if let Some(v) = delay {
                    s.link.delay_ms = v;
                }
                if let Some(v) = loss {
                    s.link.loss = v;
                }
                if let Some(v) = seed {
                    s.seed = v;
                }
                if let Some(v) = hs {
                    s.handshake = v;
                }
                if let Some(v) = drops {
                    s.drops = v;
                }
                f.time_ms = time_ms;
                f.speed = speed;
                f.fit = fit;
                f.embed = embed;
                f
            },
        )
}

/// Edits only `c` can carry, on top of the parameter edits, possibly with no
/// built-in at all.
fn custom() -> impl Strategy<Value = Fragment> {
    (
        edited_builtin(),
        any::<bool>(),
        proptest::option::of(".{0,40}"),
        proptest::option::of((
            host(),
            typed_ms(),
            prop_oneof![Just(None), (1u32..1000).prop_map(Some)],
        )),
        proptest::option::of(typed_ms()),
        proptest::option::of(proptest::option::of(
            typed_ms().prop_filter("more than 0", |v| *v > 0.0),
        )),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(mut f, keep_builtin, name, action, fin_timeout, time_limit, reads)| {
                if !keep_builtin {
                    f.builtin = None;
                }
                let s = &mut f.scenario;
                if let Some(n) = name {
                    s.name = n;
                }
                if let Some((host, at_ms, bytes)) = action {
                    s.actions.push(Action {
                        at_ms: Some(at_ms),
                        after_eof_ms: None,
                        host,
                        what: if bytes.is_some() { Do::Send } else { Do::Close },
                        bytes,
                    });
                }
                if let Some(v) = fin_timeout {
                    s.tunables.fin_timeout_ms = Some(v);
                }
                if let Some(v) = time_limit {
                    s.time_limit_ms = v;
                }
                if let Some(v) = reads {
                    s.hosts.b.app_reads = v;
                }
                f
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn edited_builtins_round_trip(f in edited_builtin()) {
        prop_assume!(f.scenario.validate().is_ok());
        let link = encode(&f);
        prop_assert!(!link.contains("c="), "{}", link);
        prop_assert_eq!(decode(&link), Ok(f));
    }

    #[test]
    fn custom_scenarios_round_trip(f in custom()) {
        prop_assume!(f.scenario.validate().is_ok());
        let link = encode(&f);
        prop_assert_eq!(decode(&link), Ok(f));
    }

    /// Whatever the link holds, it reads back as the same link.
    #[test]
    fn decoded_links_re_encode_stably(f in custom()) {
        prop_assume!(f.scenario.validate().is_ok());
        let link = encode(&f);
        let again = encode(&decode(&link).unwrap());
        prop_assert_eq!(again, link);
    }
}

/// Any finite value from its bits: 0 ..= `max`, every binade equally likely
/// (subnormals like 5e-324 included), or uniform over the ordinary values.
fn any_up_to(max: f64) -> impl Strategy<Value = f64> {
    prop_oneof![(0..=max.to_bits()).prop_map(f64::from_bits), 0.0..=max,]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    /// `d`, `loss`, `msl`, `t` and AFTER_MS read back with the same bits for
    /// every finite value in their ranges.
    #[test]
    fn parameters_round_trip_bit_for_bit(
        delay in any_up_to(MAX_MS),
        loss in any_up_to(1.0),
        msl in any_up_to(MAX_MS).prop_filter("more than 0", |v| *v > 0.0),
        time_ms in any_up_to(MAX_MS),
        after_ms in any_up_to(MAX_MS),
    ) {
        let mut f = Fragment::from_builtin(builtin::DEFAULT).unwrap();
        let s = &mut f.scenario;
        s.link.delay_ms = delay;
        s.link.loss = loss;
        s.msl_ms = Some(msl);
        s.drops = vec![DropRule { from: Host::A, kind: SegmentKind::Fin, after_ms, nth: 1, count: 1 }];
        f.time_ms = time_ms;
        let link = encode(&f);
        prop_assert!(!link.contains("c="), "{}", link);
        let back = decode(&link).unwrap();
        let bits = |v: f64| v.to_bits();
        prop_assert_eq!(bits(back.scenario.link.delay_ms), bits(delay), "{}", link);
        prop_assert_eq!(bits(back.scenario.link.loss), bits(loss), "{}", link);
        prop_assert_eq!(back.scenario.msl_ms.map(bits), Some(bits(msl)), "{}", link);
        prop_assert_eq!(bits(back.scenario.drops[0].after_ms), bits(after_ms), "{}", link);
        prop_assert_eq!(bits(back.time_ms), bits(time_ms), "{}", link);
        prop_assert_eq!(back, f);
    }
}
