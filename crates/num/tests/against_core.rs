//! `Fixed` and `Shortest` print exactly what core's `{:.N}` and `{}` print.

use farewell_num::{Fixed, Shortest};
use proptest::prelude::*;

fn specials() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1.5,
        2.5,
        0.25,
        0.35,
        0.05,
        0.15,
        9.95,
        99.95,
        0.1,
        0.2,
        0.3,
        1e21,
        1e22,
        1e-7,
        1e-6,
        123456.789,
        5e-324,
        1e-323,
        2.2250738585072014e-308,
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::EPSILON,
        9007199254740992.0 + 2.0,
        4503599627370496.5,
        0.30000000000000004,
        1.0 / 3.0,
        2.0 / 3.0,
        1e15,
        1e16,
        1e17,
        123e300,
        f64::from_bits(0x44b5_2d02_c7e1_4af6),
        5e-1,
        0.045,
        0.0045,
        1234.5,
        1235.5,
        60_000.0,
        59_999.95,
        29.999999999999996,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    // Powers of two (the asymmetric gap) and of ten, both signs.
    for e in -1074..=1023 {
        v.push(2f64.powi(e));
    }
    for e in -320..=308 {
        v.push(10f64.powi(e));
    }
    let neg: Vec<f64> = v.iter().map(|x| -x).collect();
    v.extend(neg);
    v
}

#[test]
fn special_values_print_as_core_prints_them() {
    for v in specials() {
        assert_eq!(Shortest(v).to_string(), format!("{v}"), "{v:e}");
        for d in 0..=6 {
            assert_eq!(Fixed(v, d).to_string(), format!("{v:.d$}"), "{v:e} .{d}");
        }
    }
}

#[test]
fn widths_pad_like_a_string() {
    assert_eq!(
        format!("{:>10}", Fixed(1.23456, 3)),
        format!("{:>10.3}", 1.23456)
    );
    assert_eq!(
        format!("{:>11}", Fixed(-60000.0, 3)),
        format!("{:>11.3}", -60000.0)
    );
    assert_eq!(format!("{:<6}|", Shortest(0.5)), "0.5   |");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        if std::env::var_os("FAREWELL_EXHAUSTIVE").is_some() { 2_000_000 } else { 50_000 }
    ))]

    #[test]
    fn any_bits_print_as_core_prints_them(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        prop_assert_eq!(Shortest(v).to_string(), format!("{v}"));
        prop_assert_eq!(Fixed(v, 1).to_string(), format!("{v:.1}"));
        prop_assert_eq!(Fixed(v, 3).to_string(), format!("{v:.3}"));
    }

    #[test]
    fn page_sized_numbers_print_as_core_prints_them(
        v in prop_oneof![-1e7..1e7f64, -1.0..1.0f64, (0u64..100_000_000).prop_map(|n| n as f64 / 1000.0)],
        d in 0usize..=6,
    ) {
        prop_assert_eq!(Fixed(v, d).to_string(), format!("{v:.d$}"));
        prop_assert_eq!(Shortest(v).to_string(), format!("{v}"));
    }

    /// Exact ties: binary fractions with few bits land exactly half way.
    #[test]
    fn exact_ties_round_half_to_even(n in -1_000_000i64..1_000_000, bits in 1u32..12, d in 0usize..=4) {
        let v = n as f64 / f64::from(1u32 << bits);
        prop_assert_eq!(Fixed(v, d).to_string(), format!("{v:.d$}"));
    }
}

proptest! {
    #[test]
    fn clamp_is_f64_clamp(v in any::<f64>(), a in -1e6..1e6f64, b in -1e6..1e6f64) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert_eq!(farewell_num::clamp(v, lo, hi).to_bits(), v.clamp(lo, hi).to_bits());
    }
}
