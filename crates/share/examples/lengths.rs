//! Prints the share link of every built-in, of edited built-ins and of a
//! heavily edited custom scenario, with their lengths:
//! `cargo run -p farewell-share --example lengths`.

use farewell_engine::{builtin, Action, Do, DropRule, Host, Platform, SegmentKind};
use farewell_share::{encode, Fragment, Speed};

fn show(label: &str, f: &Fragment) {
    let link = encode(f);
    println!("{:>4}  {label:<32} #{link}", link.len() + 1);
}

fn main() {
    println!("chars incl. '#'");
    for id in builtin::ids() {
        show(id, &Fragment::from_builtin(id).unwrap());
    }
    for id in builtin::ids() {
        let mut f = Fragment::from_builtin(id).unwrap();
        let s = &mut f.scenario;
        s.platform = Platform::Windows;
        s.msl_ms = Some(30000.0);
        s.link.delay_ms = 35.0;
        s.link.loss = 0.05;
        s.seed = 7;
        s.drops = vec![
            DropRule {
                from: Host::A,
                kind: SegmentKind::Any,
                after_ms: 220.0,
                nth: 1,
                count: 1,
            },
            DropRule {
                from: Host::B,
                kind: SegmentKind::Any,
                after_ms: 240.5,
                nth: 2,
                count: 1,
            },
        ];
        f.time_ms = 61234.5;
        f.speed = Some(Speed::SkipWaits);
        show(&format!("{id} (all params edited)"), &f);
    }
    for id in builtin::ids() {
        let mut f = Fragment::from_builtin(id).unwrap();
        f.scenario.actions.push(Action {
            at_ms: Some(1000.0),
            after_eof_ms: None,
            host: Host::A,
            what: Do::Send,
            bytes: Some(100),
        });
        show(&format!("{id} (+1 action)"), &f);
    }
    for id in builtin::ids() {
        let mut f = Fragment::from_builtin(id).unwrap();
        f.builtin = None;
        show(&format!("{id} (as custom)"), &f);
    }
    // Heavily edited: own name and description, eight actions, tunables,
    // duplicates, ISNs, drops.
    let mut f = Fragment::from_builtin("old-duplicate").unwrap();
    f.builtin = None;
    let s = &mut f.scenario;
    s.name = "My lab: reused port pair after a short TIME_WAIT".into();
    s.description = "Students: find the segment that B's application reads twice, and explain why a full 2×MSL TIME_WAIT would have prevented it.".into();
    s.platform = Platform::Freebsd;
    s.tunables.rto_initial_ms = Some(300.0);
    s.tunables.delayed_ack_ms = Some(40.0);
    for i in 0..4 {
        s.actions.push(Action {
            at_ms: Some(6000.0 + 250.0 * f64::from(i)),
            after_eof_ms: None,
            host: if i % 2 == 0 { Host::A } else { Host::B },
            what: Do::Send,
            bytes: Some(100 + 17 * i),
        });
    }
    s.drops.push(DropRule {
        from: Host::B,
        kind: SegmentKind::Ack,
        after_ms: 6100.0,
        nth: 1,
        count: 2,
    });
    f.time_ms = 3021.75;
    show("heavily edited custom", &f);
}
