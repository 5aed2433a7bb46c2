//! proptest strategies shared by the property tests (`mod strategies;`).
#![allow(dead_code)]

use farewell_engine::{DropRule, Host, SegmentKind};
use proptest::prelude::*;

pub fn host() -> impl Strategy<Value = Host> {
    prop_oneof![Just(Host::A), Just(Host::B)]
}

pub fn kind() -> impl Strategy<Value = SegmentKind> {
    prop_oneof![
        Just(SegmentKind::Fin),
        Just(SegmentKind::Ack),
        Just(SegmentKind::Data),
        Just(SegmentKind::Rst),
        Just(SegmentKind::Syn),
        Just(SegmentKind::Any),
    ]
}

/// A drop rule for a segment sent in the first two seconds (times in whole ms).
pub fn drop_rule() -> impl Strategy<Value = DropRule> {
    (host(), kind(), 0.0..2000.0f64, 1u32..4, 1u32..4).prop_map(
        |(from, kind, after_ms, nth, count)| DropRule {
            from,
            kind,
            after_ms: after_ms.round(),
            nth,
            count,
        },
    )
}
