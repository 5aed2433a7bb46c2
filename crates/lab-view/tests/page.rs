//! The lab page's words, chart and links, checked on the presets' lessons.

use farewell_diagram::Theme;
use farewell_lab::{run, Closer, LabConfig};
use farewell_lab_view::knobs::{cli_command, from_fragment, to_fragment};
use farewell_lab_view::presets::PRESETS;
use farewell_lab_view::report::{findings, outcome, remedies, stats, Tone};
use farewell_lab_view::{chart_svg, chart_svg_file, ChartOptions};

fn preset(id: &str) -> LabConfig {
    let (_, _, fragment) = PRESETS.iter().find(|p| p.0 == id).expect("preset");
    from_fragment(fragment).expect("every preset is a valid link")
}

fn said(cfg: &LabConfig) -> Vec<(Tone, String)> {
    findings(cfg, &run(cfg).unwrap())
        .into_iter()
        .map(|f| (f.tone, f.text))
        .collect()
}

fn says(cfg: &LabConfig, tone: Tone, words: &str) -> bool {
    said(cfg)
        .iter()
        .any(|(t, s)| *t == tone && s.contains(words))
}

#[test]
fn every_preset_is_a_link_that_round_trips() {
    for (id, title, fragment) in PRESETS {
        let cfg = from_fragment(fragment).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            to_fragment(&cfg),
            fragment,
            "{id}: the link is written as read"
        );
        assert!(!title.is_empty());
    }
}

/// illumos's reaper: the findings say where the 62.5 s comes from.
#[test]
fn illumos_findings_name_its_reaper() {
    let cfg = LabConfig {
        platform: farewell_engine::Platform::Solaris,
        rate: 100,
        duration_s: 120,
        ..LabConfig::default()
    };
    let f = said(&cfg);
    assert!(
        f[0].1.contains(
            "a 62.5 s TIME_WAIT (Solaris / illumos: 60 s, then its reaper's next run, every 5 s), about 6,250 sockets wait at any moment"
        ),
        "{}",
        f[0].1
    );
}

#[test]
fn steady_state_is_rate_times_time_wait() {
    let cfg = preset("steady");
    let f = said(&cfg);
    assert!(
        f[0].1
            .contains("about 12,000 sockets wait at any moment: rate × TIME_WAIT"),
        "{}",
        f[0].1
    );
    assert!(says(
        &cfg,
        Tone::Good,
        "No connect() failed for want of a port"
    ));
}

#[test]
fn a_load_test_from_one_host_runs_out_of_ports_and_says_when() {
    let cfg = preset("ports");
    let f = said(&cfg);
    let problem = f
        .iter()
        .find(|(t, _)| *t == Tone::Problem)
        .expect("a problem")
        .1
        .clone();
    assert!(
        problem.starts_with("The client ran out of ports:"),
        "{problem}"
    );
    assert!(
        problem.contains("EADDRNOTAVAIL, the first at 28.2 s"),
        "{problem}"
    );
    assert!(
        problem.contains("28,232 ports (32768–60999) towards one destination"),
        "{problem}"
    );
    assert!(says(
        &cfg,
        Tone::Info,
        "tcp_tw_reuse is 2, Linux's default, which reuses only towards loopback"
    ));
}

#[test]
fn tw_reuse_lets_the_load_test_through() {
    let cfg = preset("tw-reuse");
    let r = run(&cfg).unwrap();
    assert_eq!(r.summary.connect_failures, 0);
    assert!(says(&cfg, Tone::Good, "tcp_tw_reuse = 1 let"));
    assert!(!said(&cfg).iter().any(|(t, _)| *t == Tone::Problem));
}

#[test]
fn a_busy_server_overflows_tcp_max_tw_buckets() {
    let cfg = preset("server-closes");
    assert_eq!(cfg.closer, Closer::Server);
    assert!(says(
        &cfg,
        Tone::Problem,
        "tcp_max_tw_buckets (131,072) was reached"
    ));
    assert!(says(&cfg, Tone::Good, "cost it memory, not ports"));
}

#[test]
fn a_restart_without_reuseaddr_waits_for_time_wait_to_end() {
    let cfg = preset("restart");
    let f = said(&cfg);
    let restart = f
        .iter()
        .find(|(_, s)| s.contains("restarted"))
        .expect("restart")
        .clone();
    assert_eq!(restart.0, Tone::Problem);
    assert!(
        restart.1.contains("bind() failed with EADDRINUSE"),
        "{}",
        restart.1
    );
    let fixed = remedies(&cfg)
        .into_iter()
        .find(|r| r.id == "reuseaddr")
        .expect("remedy");
    assert!(says(
        &fixed.config,
        Tone::Good,
        "bound its port at once: with SO_REUSEADDR"
    ));
}

#[test]
fn a_run_shorter_than_time_wait_says_the_count_only_rises() {
    let cfg = LabConfig {
        duration_s: 20,
        rate: 100,
        ..LabConfig::default()
    };
    assert!(said(&cfg)[0].1.contains("shorter than TIME_WAIT (60 s)"));
}

#[test]
fn the_remedies_change_one_thing_each_and_the_cures_cure() {
    let cfg = preset("ports");
    let base = run(&cfg).unwrap().summary;
    let rs = remedies(&cfg);
    let ids: Vec<_> = rs.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "keep-alive",
            "pool",
            "tw-reuse",
            "source-ips",
            "ports",
            "closer"
        ]
    );
    for r in &rs {
        let with = run(&r.config).unwrap().summary;
        let [failures, _, _] = outcome(&base, &with);
        let cures = with.connect_failures == 0;
        match r.id {
            // 1,000/s × 60 s needs 60,000 ports: 4 IPs give 112,928; 1024–65535
            // gives 64,512; keep-alive and tw_reuse need far fewer.
            "keep-alive" | "tw-reuse" | "source-ips" | "ports" | "closer" => {
                assert!(cures, "{}: {failures}", r.id);
                assert!(failures.starts_with("0 (was "), "{failures}");
            }
            // 1,000 requests a second lasting 100 ms: 100 in flight.
            "pool" => {
                assert_eq!(r.label, "A pool of 100 connections, kept open");
                assert_eq!(r.config.pool, Some(100));
                assert!(cures, "pool: {failures}");
                assert_eq!((with.steady_time_wait, with.connects), (0, 100));
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn the_numbers_at_a_glance() {
    let cfg = preset("ports");
    let r = run(&cfg).unwrap();
    let s = stats(&cfg, &r);
    assert_eq!(s[1].value, "28,232");
    assert_eq!(s[1].detail, "of 28,232");
    assert_eq!(s[2].detail, "first at 28.2 s");
}

#[test]
fn the_cli_command_says_what_the_link_says() {
    let cfg = preset("restart");
    assert_eq!(
        cli_command(&cfg),
        "farewell lab --rate 100 --duration 120 --closer server --restart-at 20 --format text"
    );
}

#[test]
fn the_standalone_chart_is_well_formed_svg_with_every_series() {
    for (id, _, _) in PRESETS {
        let cfg = preset(id);
        let r = run(&cfg).unwrap();
        let svg = chart_svg_file(&cfg, &r.rows, &ChartOptions::default(), Theme::Light);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{id}: {e}"));
        let lines = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .map(|n| n.attribute("points").unwrap().split(' ').count())
            .collect::<Vec<_>>();
        assert!(!lines.is_empty(), "{id}");
        assert!(
            lines.iter().all(|&n| n == r.rows.len() + 1),
            "{id}: a point per second"
        );
        assert!(!svg.contains("var(--"), "{id}: colours resolved in a file");
        assert!(
            !svg.contains("class=\"pending\""),
            "{id}: the run is complete"
        );
    }
}

#[test]
fn a_chart_in_progress_shades_the_seconds_to_come() {
    let cfg = preset("ports");
    let r = run(&cfg).unwrap();
    let svg = chart_svg(&cfg, &r.rows[..10], &ChartOptions::default());
    assert!(svg.contains(r#"class="pending""#));
    assert!(
        svg.contains("var(--") || svg.contains("class=\"series"),
        "page markup is styled by the page"
    );
    roxmltree::Document::parse(&svg.replacen(
        "<svg ",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" ",
        1,
    ))
    .unwrap();
}

#[test]
fn the_chart_marks_the_port_supply_and_the_failures() {
    let cfg = preset("ports");
    let r = run(&cfg).unwrap();
    let svg = chart_svg(&cfg, &r.rows, &ChartOptions::default());
    assert!(
        svg.contains(r#"<tspan>ports</tspan><tspan x="616.0" dy="12">28,232</tspan>"#),
        "the supply line is labelled"
    );
    assert!(
        svg.contains(r#"<tspan>rate × TIME_WAIT</tspan><tspan x="616.0" dy="12">60,000</tspan>"#)
    );
    assert!(svg.contains("connect() failures a second (most 1,000)"));
    insta::assert_snapshot!("ports_chart", svg);
}

#[test]
fn a_pool_says_how_few_connections_carry_the_requests() {
    let kept = from_fragment("rate=5000&requests-per-connection=0&pool=64").unwrap();
    assert!(says(
        &kept,
        Tone::Good,
        "A pool of 64 connections carries all 300,000 requests: the client called connect() 64 times, only to fill the pool, and never closes a connection"
    ));
    assert!(
        remedies(&kept)
            .iter()
            .all(|r| r.id != "pool" && r.id != "keep-alive"),
        "nothing to pool or keep alive further"
    );
    assert!(says(
        &kept,
        Tone::Good,
        "Whatever the request rate, the pool holds 64 ports."
    ));
    let too_big = from_fragment("ports=40000-40099&requests-per-connection=0&pool=150").unwrap();
    assert!(says(
        &too_big,
        Tone::Good,
        "only to fill the pool (20,000 failed), and never closes"
    ));
    assert!(says(
        &too_big,
        Tone::Good,
        "The pool is larger than the ports it may use"
    ));
    let cycling = from_fragment("rate=5000&requests-per-connection=100&pool=50").unwrap();
    assert!(says(
        &cycling,
        Tone::Info,
        "A pool of 50 connections carries the requests, each connection closed after 100 requests and replaced: 50 new connections a second (each slot every 1 s), so TIME_WAIT follows rate ÷ 100"
    ));
    assert!(said(&cycling)[0]
        .1
        .contains("about 3,000 sockets wait at any moment"));
}

#[test]
fn macos_says_its_destinations_share_one_port_range() {
    let cfg = from_fragment("platform=macos&rate=1000&destinations=4").unwrap();
    assert!(says(
        &cfg,
        Tone::Info,
        "On macOS more destinations do not add ports: connect() binds the socket to a port before it looks at the destination"
    ));
    assert!(says(
        &cfg,
        Tone::Problem,
        "the client has 16,384 ports (49152–65535) for all 4 destinations together"
    ));
    let linux = from_fragment("rate=1000&destinations=4").unwrap();
    assert!(!says(&linux, Tone::Info, "On macOS"));
    let r = run(&cfg).unwrap();
    assert_eq!(stats(&cfg, &r)[1].detail, "of 16,384");
}
