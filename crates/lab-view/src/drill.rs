//! Drill-down and the readout: one moment of the run, and one of its
//! connections opened in the main view as a sequence diagram.
//!
//! Every connection of the lab is one the engine simulated
//! ([`farewell_lab::scenario_for`]: the same platform, delay, loss, seed,
//! TIME_WAIT and close times), replayed at the lab's rate. So the lab can
//! hand any of them to the playground as a share link (`farewell-share`'s
//! format, `index.html#…`): connect() number `n` follows the lifecycle sampled with
//! seed `sample_seeds(cfg)[n % len]` (`farewell_lab::replay`), and its
//! scenario is that one. A connection that took over a port in TIME_WAIT
//! (`tcp_tw_reuse`) is shown with the `tw-reuse` built-in's shape (a
//! connection, its TIME_WAIT, a reconnect from the same port) on the lab's
//! link; a connect() that failed for want of a port is shown through the
//! connection that held a port then, at the moment of the failure.

use crate::format::{seconds, thousands};
use farewell_engine::scenario::Hosts;
use farewell_engine::{Action, Scenario, Tunables};
use farewell_lab::{sample_seeds, scenario_for, Closer, LabConfig, LabRun, Row};
use farewell_num::Shortest;
use serde::Serialize;

/// The playground's page, which the links open.
pub const MAIN_VIEW: &str = "index.html";

/// A connection to open in the main view.
#[derive(Clone, Debug, PartialEq)]
pub struct DrillDown {
    /// What the link says.
    pub label: String,
    /// A sentence on what the diagram shows.
    pub text: String,
    /// `index.html#…`.
    pub href: String,
}

/// connect() calls made before second `t_s` (each row counts its second's,
/// failed ones included, as the replay numbers them).
fn connects_before(rows: &[Row], t_s: u32) -> u64 {
    rows.iter()
        .take_while(|r| r.t_s < t_s)
        .map(|r| r.connects)
        .sum()
}

/// The seed of connect() number `n`'s lifecycle.
fn seed_of(cfg: &LabConfig, n: u64) -> u64 {
    let seeds = sample_seeds(cfg);
    seeds[(n % seeds.len() as u64) as usize]
}

/// The share link (`farewell-share`'s format, a public contract) that opens
/// `s` at `time_ms`: its short parameters, and `c` (plain JSON, `j`) for the
/// fields they cannot carry. Written here rather than by
/// `farewell_share::encode`, whose base scenario and DEFLATE would bring a
/// JSON reader and a compressor into the lab's module for these links; the
/// tests read every link back with `farewell_share::decode`.
fn href(s: &Scenario, time_ms: f64) -> String {
    /// The `c` fields: exactly the scenario file's names and types.
    #[derive(Serialize)]
    struct Patch<'a> {
        name: &'a str,
        description: &'a str,
        hosts: &'a Hosts,
        tunables: &'a Tunables,
        actions: &'a [Action],
    }
    let json = farewell_json::to_string(&Patch {
        name: &s.name,
        description: &s.description,
        hosts: &s.hosts,
        tunables: &s.tunables,
        actions: &s.actions,
    })
    .unwrap_or_default();
    format!(
        "{MAIN_VIEW}#c=j{}&p={}&d={}&loss={}&seed={}&hs={}&t={}",
        farewell_share::base64url_encode(json.as_bytes()),
        s.platform.id(),
        Shortest(s.link.delay_ms),
        Shortest(s.link.loss),
        s.seed,
        u8::from(s.handshake),
        Shortest(time_ms)
    )
}

fn closer_words(cfg: &LabConfig) -> &'static str {
    match cfg.closer {
        Closer::Client => "the client (A) closes first and holds TIME_WAIT",
        Closer::Server => "the server (B) closes first and holds TIME_WAIT",
    }
}

/// The lab's connection `n` (opened `opened_s` into the run) as a scenario,
/// named for the playground's picker.
fn connection(cfg: &LabConfig, n: u64, opened_s: u32) -> Scenario {
    let mut s = scenario_for(cfg, seed_of(cfg, n));
    s.name = format!("Lab connection {} (second {opened_s})", thousands(n + 1));
    s.description = format!(
        "connect() number {} of the TIME_WAIT lab, opened at {opened_s} s: {}. Every connection of the run follows a timeline like this one.",
        thousands(n + 1),
        closer_words(cfg)
    );
    s
}

/// The first connection opened in second `t_s`, or `None` when none was
/// (a second past the rows, or a pool whose connections were all opened
/// before).
pub fn connection_at(cfg: &LabConfig, rows: &[Row], t_s: u32) -> Option<DrillDown> {
    let row = rows.iter().find(|r| r.t_s == t_s)?;
    if row.connects == 0 {
        return None;
    }
    let n = connects_before(rows, t_s);
    Some(DrillDown {
        label: format!("Open a connection from second {t_s} in the main view"),
        text: format!(
            "connect() number {} (the first of second {t_s}) as a sequence diagram: the same platform, delay, loss and seed as the lab's run; {}.",
            thousands(n + 1),
            closer_words(cfg)
        ),
        href: href(&connection(cfg, n, t_s), 0.0),
    })
}

/// A connect() that took over a port in TIME_WAIT (`tcp_tw_reuse`), when the
/// run had one: the `tw-reuse` built-in (Linux, `tcp_tw_reuse` 1, timestamps
/// on, as reuse needs) on the lab's delay, loss and seed. The link is written
/// with the short parameters alone (`s`, `d`, `loss`, `seed`), as a course
/// author would, so the lab's module carries no copy of the built-ins.
pub fn reused(cfg: &LabConfig, run: &LabRun) -> Option<DrillDown> {
    let row = run.rows.iter().find(|r| r.tw_reused > 0)?;
    Some(DrillDown {
        label: "Open a connection that reused a TIME_WAIT port".into(),
        text: format!(
            "From second {} on, connect() took over ports still in TIME_WAIT ({} times in all). The diagram shows one such port: a connection closes, its TIME_WAIT holds the port, and a new connect() from the same port takes it over once the TIME_WAIT is 1 s old (tcp_tw_reuse_delay), with timestamps keeping old segments out.",
            row.t_s,
            thousands(run.summary.tw_reused)
        ),
        href: format!(
            "{MAIN_VIEW}#s=tw-reuse&d={}&loss={}&seed={}",
            Shortest(cfg.delay_ms),
            Shortest(cfg.loss),
            cfg.seed
        ),
    })
}

/// The first connect() that failed with EADDRNOTAVAIL, when the run had
/// one: the run's first connection, which still held its port then, at the
/// moment of the failure.
pub fn failed(cfg: &LabConfig, run: &LabRun) -> Option<DrillDown> {
    let s = &run.summary;
    let at = s.first_failure_s?;
    if cfg.closer != Closer::Client || s.connect_failures == s.connect_refused {
        return None;
    }
    let life = farewell_lab::lifecycle(cfg, seed_of(cfg, 0));
    let at_us = (at * 1e6).round() as u64;
    if life.client_release_us <= at_us {
        return None;
    }
    let state = match life.client_time_wait {
        Some((enter, _)) if enter <= at_us => "in TIME_WAIT",
        _ => "open",
    };
    Some(DrillDown {
        label: format!(
            "Open a connection that held a port when connect() failed at {}",
            seconds(at)
        ),
        text: format!(
            "At {} every port was held, so connect() failed with EADDRNOTAVAIL. The diagram is the run's first connection at that moment: still {state}, holding its port, as were all the others.",
            seconds(at)
        ),
        href: href(&connection(cfg, 0, 0), at * 1000.0),
    })
}

/// The connections worth opening for a finished run: the one from second
/// `t_s` (the chart's chosen second), a reused one, a failed one.
pub fn drill_downs(cfg: &LabConfig, run: &LabRun, t_s: u32) -> Vec<DrillDown> {
    [
        connection_at(cfg, &run.rows, t_s),
        reused(cfg, run),
        failed(cfg, run),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What `ss` and `nstat` would say at the end of second `t_s`, as the chart's
/// readout shows it (its live text is what a screen reader hears).
pub fn readout(cfg: &LabConfig, rows: &[Row], t_s: u32) -> Option<String> {
    let r = rows.iter().find(|r| r.t_s == t_s)?;
    // `ss -tan state time-wait` prints a header line, which wc -l counts.
    let ss = |n: u64| format!("{} ({} + the header line)", thousands(n + 1), thousands(n));
    let mut out = format!(
        "At {} s: on the client, ss -tan state time-wait | wc -l gives {}; on the server, {}. {} established, {} of {} client ports in use",
        r.t_s + 1,
        ss(r.time_wait_client),
        ss(r.time_wait_server),
        thousands(r.established),
        thousands(r.ports_in_use),
        thousands(cfg.port_supply())
    );
    out.push_str(&format!(
        "; in the second to then: {} connect() calls, {} failed",
        thousands(r.connects),
        thousands(r.connect_failures)
    ));
    if r.tw_reused > 0 {
        out.push_str(&format!(
            ", {} reused a TIME_WAIT port",
            thousands(r.tw_reused)
        ));
    }
    if r.tw_overflow > 0 {
        out.push_str(&format!(
            ", {} skipped TIME_WAIT (tcp_max_tw_buckets)",
            thousands(r.tw_overflow)
        ));
    }
    if !r.bind.is_empty() {
        out.push_str(&format!("; the server's bind(): {}", r.bind.join(", ")));
    }
    out.push('.');
    Some(out)
}
