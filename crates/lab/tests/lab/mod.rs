//! Shared helpers for the lab's scenario tests.
#![allow(dead_code)]

use farewell_lab::{run, LabConfig, LabRun, Row};

/// Runs a config that must be valid.
pub fn lab(cfg: LabConfig) -> LabRun {
    run(&cfg).unwrap_or_else(|e| panic!("invalid lab config: {e}"))
}

/// Linux, client closes, one source IP and one destination, 60 s.
pub fn linux(rate: u32) -> LabConfig {
    LabConfig {
        rate,
        ..LabConfig::default()
    }
}

pub fn time_wait(r: &Row) -> u64 {
    r.time_wait_client + r.time_wait_server
}

/// The first second with a failed connect().
pub fn first_failure_row(run: &LabRun) -> Option<u32> {
    run.rows
        .iter()
        .find(|r| r.connect_failures > 0)
        .map(|r| r.t_s)
}
