//! Drill-down links (one of the lab's connections in the main view) and the
//! readout that follows the chart's chosen second.

use farewell_engine::{builtin, simulate, EventKind, Host, TcpState};
use farewell_lab::{lifecycle, run, sample_seeds, scenario_for, Closer, LabConfig, LabRun};
use farewell_lab_view::drill::{connection_at, drill_downs, failed, readout, reused, MAIN_VIEW};
use farewell_share::{decode, Fragment};

fn opened(href: &str) -> Fragment {
    let fragment = href
        .strip_prefix(MAIN_VIEW)
        .and_then(|h| h.strip_prefix('#'))
        .unwrap_or_else(|| panic!("a link to the main view: {href}"));
    decode(fragment).unwrap_or_else(|e| panic!("the main view opens {href}: {e}"))
}

/// Host A's state at `t_ms` in a scenario's trace.
fn client_state_at(f: &Fragment, t_ms: f64) -> TcpState {
    let trace = simulate(&f.scenario);
    trace
        .events
        .iter()
        .rev()
        .filter(|e| e.t_ms <= t_ms)
        .filter_map(|e| match e.kind {
            EventKind::State {
                host: Host::A, to, ..
            } => Some(to),
            _ => None,
        })
        .next()
        .unwrap_or(TcpState::Closed)
}

fn lab(cfg: &LabConfig) -> LabRun {
    run(cfg).unwrap()
}

#[test]
fn a_connection_from_a_second_is_the_engine_scenario_the_lab_replayed() {
    let cfg = LabConfig::default();
    let r = lab(&cfg);
    let d = connection_at(&cfg, &r.rows, 5).unwrap();
    assert_eq!(d.label, "Open a connection from second 5 in the main view");
    assert!(d.text.contains("connect() number 5,001"), "{}", d.text);
    let f = opened(&d.href);
    assert_eq!(f.builtin, None);
    let mut expected = scenario_for(&cfg, cfg.seed);
    expected.name = f.scenario.name.clone();
    expected.description = f.scenario.description.clone();
    assert_eq!(f.scenario, expected);
    assert_eq!(f.scenario.name, "Lab connection 5,001 (second 5)");
    assert_eq!(f.time_ms, 0.0);
    // It runs to the client's TIME_WAIT, as the lab's lifecycle says.
    let life = lifecycle(&cfg, cfg.seed);
    let (enter, _) = life.client_time_wait.unwrap();
    assert_eq!(
        client_state_at(&f, enter as f64 / 1000.0 + 1.0),
        TcpState::TimeWait
    );
    // No row, no connection.
    assert_eq!(connection_at(&cfg, &r.rows, cfg.duration_s), None);
}

#[test]
fn with_loss_a_connection_follows_its_own_sampled_seed() {
    let cfg = LabConfig {
        rate: 7,
        duration_s: 20,
        loss: 0.05,
        ..LabConfig::default()
    };
    let r = lab(&cfg);
    let seeds = sample_seeds(&cfg);
    for t in [0, 3, 19] {
        let n: u64 = r.rows[..t as usize].iter().map(|r| r.connects).sum();
        let f = opened(&connection_at(&cfg, &r.rows, t).unwrap().href);
        let seed = seeds[(n % seeds.len() as u64) as usize];
        assert_eq!(f.scenario.seed, seed, "second {t}");
        assert_eq!(f.scenario.actions, scenario_for(&cfg, seed).actions);
        assert_eq!(f.scenario.link.loss, 0.05);
    }
}

#[test]
fn the_server_closing_first_is_said_and_shown() {
    let cfg = LabConfig {
        closer: Closer::Server,
        ..LabConfig::default()
    };
    let r = lab(&cfg);
    let d = connection_at(&cfg, &r.rows, 0).unwrap();
    assert!(d.text.contains("the server (B) closes first"), "{}", d.text);
    let f = opened(&d.href);
    assert!(f
        .scenario
        .actions
        .iter()
        .any(|a| a.host == Host::B && a.at_ms.is_some()));
    // The server's ports never run out: no failed connection to open.
    assert_eq!(failed(&cfg, &r), None);
}

#[test]
fn a_failed_connect_opens_a_connection_holding_its_port_at_that_moment() {
    let cfg = LabConfig::default();
    let r = lab(&cfg);
    let d = failed(&cfg, &r).unwrap();
    assert_eq!(
        d.label,
        "Open a connection that held a port when connect() failed at 28.2 s"
    );
    assert!(d.text.contains("still in TIME_WAIT"), "{}", d.text);
    let f = opened(&d.href);
    let at = r.summary.first_failure_s.unwrap() * 1000.0;
    assert_eq!(f.time_ms, at);
    assert_eq!(client_state_at(&f, at), TcpState::TimeWait);
    // No failure, no link.
    let fine = LabConfig {
        rate: 100,
        ..LabConfig::default()
    };
    assert_eq!(failed(&fine, &lab(&fine)), None);
}

#[test]
fn a_reused_port_opens_the_tw_reuse_built_in_on_the_labs_link() {
    let cfg = LabConfig {
        tw_reuse: 1,
        delay_ms: 5.0,
        seed: 42,
        ..LabConfig::default()
    };
    let r = lab(&cfg);
    assert!(r.summary.tw_reused > 0);
    let d = reused(&cfg, &r).unwrap();
    assert!(d.href.starts_with("index.html#s=tw-reuse"), "{}", d.href);
    let f = opened(&d.href);
    assert_eq!(f.builtin.as_deref(), Some("tw-reuse"));
    let mut expected = builtin::get("tw-reuse").unwrap();
    assert_eq!(d.href, "index.html#s=tw-reuse&d=5&loss=0&seed=42");
    expected.link.delay_ms = 5.0;
    expected.seed = 42;
    expected.tunables.tw_reuse = Some(1);
    assert_eq!(f.scenario, expected);
    // Without reuse, there is none to open.
    let plain = LabConfig::default();
    assert_eq!(reused(&plain, &lab(&plain)), None);
    // The list: the chosen second's, the reused one; no failure with reuse.
    let all = drill_downs(&cfg, &r, 30);
    assert_eq!(all.len(), 2);
    assert!(all[0].label.contains("second 30"));
}

#[test]
fn the_readout_says_what_ss_and_nstat_would_at_the_chosen_second() {
    let cfg = LabConfig::default();
    let r = lab(&cfg);
    let row = &r.rows[40];
    let text = readout(&cfg, &r.rows, 40).unwrap();
    assert!(
        text.starts_with(&format!(
            "At 41 s: on the client, ss -tan state time-wait | wc -l gives {} ({} + the header line); on the server, 1 (0 + the header line).",
            farewell_lab_view::format::thousands(row.time_wait_client + 1),
            farewell_lab_view::format::thousands(row.time_wait_client),
        )),
        "{text}"
    );
    assert!(text.contains("of 28,232 client ports in use"), "{text}");
    assert!(
        text.contains(&format!(
            "{} failed",
            farewell_lab_view::format::thousands(row.connect_failures)
        )),
        "{text}"
    );
    assert_eq!(readout(&cfg, &r.rows, cfg.duration_s), None);
    // A restart's bind() outcomes are read out in their second.
    let restart = LabConfig {
        rate: 100,
        duration_s: 120,
        closer: Closer::Server,
        restart_at_s: Some(20.0),
        ..LabConfig::default()
    };
    let rr = lab(&restart);
    let t = rr.rows.iter().find(|r| !r.bind.is_empty()).unwrap().t_s;
    assert!(readout(&restart, &rr.rows, t)
        .unwrap()
        .contains("the server's bind(): EADDRINUSE"));
}
