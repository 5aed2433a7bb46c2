//! The TIME_WAIT countdown and the narration tell each ending as the trace has
//! it: every built-in on every platform, sampled along its timeline.

use farewell_diagram::{countdown_at, narration_at, state_at, Phase};
use farewell_engine::trace::{EventKind, Fate, TimerAction, TimerKind};
use farewell_engine::{builtin, simulate, Flags, Host, Platform, TcpState, Trace};

/// Every instant something happens, three points between each two, and the end.
fn samples(t: &Trace) -> Vec<f64> {
    let mut times: Vec<f64> = t.events.iter().map(|e| e.t_ms).collect();
    times.extend(t.segments().filter_map(|(_, s)| s.arrive_ms));
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mids: Vec<f64> = times
        .windows(2)
        .flat_map(|w| [0.25, 0.5, 0.75].map(|f| w[0] + (w[1] - w[0]) * f))
        .collect();
    times.extend(mids);
    times.push(t.end_ms() + 1.0);
    times
}

fn time_wait_timer(t: &Trace, at: f64, host: Host, action: TimerAction) -> bool {
    t.events.iter().any(|e| {
        e.t_ms <= at
            && matches!(&e.kind, EventKind::Timer { host: h, timer: TimerKind::TimeWait, action: a, .. }
                if *h == host && *a == action)
    })
}

fn ever_in_time_wait(t: &Trace, at: f64) -> bool {
    t.events.iter().any(|e| {
        e.t_ms <= at
            && matches!(
                &e.kind,
                EventKind::State {
                    to: TcpState::TimeWait,
                    ..
                }
            )
    })
}

fn fin_sent_before(t: &Trace, at: f64, host: Host) -> bool {
    t.segments()
        .any(|(st, s)| st <= at && s.from == host && s.flags.contains(Flags::FIN))
}

/// The claims the countdown and narration make at `at`, checked against the trace.
fn check(id: &str, p: Platform, t: &Trace, at: f64, time_wait_ms: f64) -> Result<(), String> {
    let c = countdown_at(t, at, time_wait_ms);
    let ctx = || format!("{id} on {p} at {at} ms: {c:?}");
    let says_expired = c.text.contains("expired") || c.title.contains("expired");
    match c.phase {
        Phase::Running => {
            let h = c
                .host
                .ok_or_else(|| format!("running with no host: {}", ctx()))?;
            if state_at(t, h, at) != TcpState::TimeWait {
                return Err(format!("claims {h} is in TIME_WAIT: {}", ctx()));
            }
            if !(0.0..=c.total_ms).contains(&c.remaining_ms) {
                return Err(format!("remaining out of range: {}", ctx()));
            }
            // Only a platform whose reaper ends TIME_WAIT in batches says its
            // wait was rounded up, and then the wait is longer than 2×MSL.
            if c.text.contains("rounded up to the reaper")
                && (p.profile().time_wait_granularity.is_none() || c.total_ms <= time_wait_ms)
            {
                return Err(format!("claims a reaper's rounding: {}", ctx()));
            }
        }
        Phase::Expired => {
            let h = c.host.unwrap();
            if !time_wait_timer(t, at, h, TimerAction::Expired) {
                return Err(format!("claims {h}'s 2MSL timer expired: {}", ctx()));
            }
        }
        Phase::CutShort => {
            let h = c.host.unwrap();
            if time_wait_timer(t, at, h, TimerAction::Expired) {
                return Err(format!("claims a cut when the timer expired: {}", ctx()));
            }
            let cut_by_rst = t.segments().any(|(_, s)| {
                s.to == h
                    && s.flags.contains(Flags::RST)
                    && s.fate == Fate::Delivered
                    && s.arrive_ms.is_some_and(|a| a <= at)
            });
            // Or a new connection on the 4-tuple replaced it.
            let replaced = t.events.iter().any(|e| {
                e.t_ms <= at
                    && matches!(e.kind, EventKind::State { host, from: TcpState::TimeWait, to }
                        if host == h && matches!(to, TcpState::SynSent | TcpState::SynReceived))
            });
            if !(cut_by_rst || replaced) || state_at(t, h, at) == TcpState::TimeWait {
                return Err(format!("claims a RST ended TIME_WAIT: {}", ctx()));
            }
        }
        Phase::Skipped => {
            let h = c.host.unwrap();
            if ever_in_time_wait(t, at) {
                return Err(format!("claims no TIME_WAIT after one: {}", ctx()));
            }
            if state_at(t, h, at) != TcpState::Closed {
                return Err(format!("claims {h} is gone: {}", ctx()));
            }
            if c.remaining_ms != 0.0 {
                return Err(format!("shows time left for no TIME_WAIT: {}", ctx()));
            }
        }
        Phase::Idle => {
            if ever_in_time_wait(t, at) {
                return Err(format!("idle after a TIME_WAIT: {}", ctx()));
            }
            if c.text.contains("will wait") && c.remaining_ms != time_wait_ms {
                return Err(format!("promises a TIME_WAIT it does not show: {}", ctx()));
            }
        }
    }
    if says_expired && c.phase != Phase::Expired {
        return Err(format!("says expired: {}", ctx()));
    }
    // The narration: "expired" only for a timer that did; "without FIN
    // exchange" only if the host never sent its FIN.
    let n = narration_at(t, at);
    let any_expired = Host::BOTH
        .iter()
        .any(|h| time_wait_timer(t, at, *h, TimerAction::Expired));
    if n.contains("2MSL timer expired") && !any_expired {
        return Err(format!(
            "narration says the 2MSL timer expired: {n} ({})",
            ctx()
        ));
    }
    for h in Host::BOTH {
        if n.contains(&format!(
            "{h} received a RST: the connection is torn down at once, without FIN exchange"
        )) && fin_sent_before(t, at, h)
        {
            return Err(format!(
                "narration says no FIN exchange after {h}'s FIN: {n}"
            ));
        }
    }
    Ok(())
}

#[test]
fn every_builtin_on_every_platform_tells_its_ending_right() {
    let mut failures = Vec::new();
    let mut samples_checked = 0;
    for id in builtin::ids() {
        for p in Platform::ALL {
            let mut s = builtin::get(id).unwrap();
            s.platform = p;
            let t = simulate(&s);
            let time_wait_ms = s.profile().time_wait.as_ms();
            for at in samples(&t) {
                samples_checked += 1;
                if let Err(e) = check(id, p, &t, at, time_wait_ms) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(samples_checked > 3_000, "{samples_checked} samples");
    assert!(
        failures.is_empty(),
        "{} of {samples_checked} samples wrong:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}

fn at_end(id: &str) -> farewell_diagram::Countdown {
    let s = builtin::get(id).unwrap();
    let t = simulate(&s);
    countdown_at(&t, t.end_ms() + 1.0, s.profile().time_wait.as_ms())
}

/// illumos's reaper runs every 5 s from the scenario's start: A enters
/// TIME_WAIT at 0.04 s and leaves it at 65 s, and the countdown says why.
#[test]
fn illumos_countdown_tells_the_reapers_rounding() {
    let mut s = builtin::get("three-segment-close").unwrap();
    s.platform = Platform::Solaris;
    let t = simulate(&s);
    let c = countdown_at(&t, 30_000.0, s.profile().time_wait.as_ms());
    assert_eq!((c.phase, c.host), (Phase::Running, Some(Host::A)), "{c:?}");
    assert_eq!(c.started_ms + c.total_ms, 65_000.0, "{c:?}");
    assert!(
        c.text
            .contains("2×MSL, rounded up to the reaper's next run"),
        "{c:?}"
    );
    s.platform = Platform::Linux;
    let t = simulate(&s);
    let c = countdown_at(&t, 30_000.0, s.profile().time_wait.as_ms());
    assert!(!c.text.contains("rounded"), "{c:?}");
}

#[test]
fn each_ending_is_named() {
    let c = at_end("normal-close");
    assert_eq!((c.phase, c.host), (Phase::Expired, Some(Host::A)));

    let c = at_end("abort-rst");
    assert_eq!(c.phase, Phase::Skipped, "{c:?}");
    assert!(c.text.contains("aborted (SO_LINGER 0)"), "{c:?}");
    assert_eq!(c.remaining_ms, 0.0);

    let c = at_end("unread-data-rst");
    assert_eq!(c.phase, Phase::Skipped, "{c:?}");
    assert!(c.text.contains("never read"), "{c:?}");

    let c = at_end("rst-in-time-wait");
    assert_eq!((c.phase, c.host), (Phase::CutShort, Some(Host::A)), "{c:?}");

    let c = at_end("fin-wait-2-timeout");
    assert_eq!(c.phase, Phase::Skipped, "{c:?}");
    assert!(c.text.contains("FIN_WAIT_2"), "{c:?}");
}

#[test]
fn an_ignored_rst_and_a_restart_are_told_while_time_wait_runs() {
    let s = builtin::get("rst-in-time-wait-rfc1337").unwrap();
    let t = simulate(&s);
    let rst_at = t
        .segments()
        .find(|(_, s)| s.flags.contains(Flags::RST))
        .and_then(|(_, s)| s.arrive_ms)
        .unwrap();
    let c = countdown_at(&t, rst_at + 1.0, s.profile().time_wait.as_ms());
    assert_eq!(c.phase, Phase::Running, "{c:?}");
    assert!(c.text.contains("ignored (RFC 1337)"), "{c:?}");

    let s = builtin::get("lost-final-ack").unwrap();
    let t = simulate(&s);
    let restarted = t
        .events
        .iter()
        .find(|e| {
            matches!(
                &e.kind,
                EventKind::Timer {
                    timer: TimerKind::TimeWait,
                    action: TimerAction::Restarted,
                    ..
                }
            )
        })
        .unwrap()
        .t_ms;
    let c = countdown_at(&t, restarted + 1.0, s.profile().time_wait.as_ms());
    assert_eq!((c.phase, c.restarts), (Phase::Running, 1), "{c:?}");
}
