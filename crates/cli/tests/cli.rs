//! The built `farewell` binary: exit codes, stderr messages, files written.

use farewell_engine::{builtin, simulate};
use std::path::PathBuf;
use std::process::{Command, Output};

fn farewell(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_farewell"))
        .args(args)
        .output()
        .expect("the farewell binary runs")
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn normal_close_pcap() -> Vec<u8> {
    let scenario = builtin::get("normal-close").unwrap();
    farewell_export::pcap(&simulate(&scenario), &scenario).unwrap()
}

#[test]
fn pcap_with_output_writes_the_capture_to_the_file() {
    let path = tmp("cli-normal-close.pcap");
    let _ = std::fs::remove_file(&path);
    let out = farewell(&[
        "run",
        "--builtin",
        "normal-close",
        "--format",
        "pcap",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout with --output");
    let bytes = std::fs::read(&path).expect("the pcap was written");
    // Little-endian classic pcap, microseconds, link type 1 (Ethernet).
    assert_eq!(&bytes[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
    assert_eq!(&bytes[20..24], &[1, 0, 0, 0]);
    assert_eq!(bytes, normal_close_pcap());
}

#[test]
fn pcap_goes_to_a_redirected_stdout() {
    // `output()` gives the child a pipe, not a terminal.
    let out = farewell(&["run", "--builtin", "normal-close", "--format", "pcap"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, normal_close_pcap());
}

#[test]
fn bad_format_fails_with_a_message_on_stderr() {
    let out = farewell(&["run", "--builtin", "normal-close", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("farewell: --format: unknown format `xml` (jsonl, text, pcap, svg)"),
        "{err}"
    );
}

#[test]
fn scenario_errors_name_the_field() {
    let path = tmp("cli-bad-scenario.json");
    let mut json: serde_json::Value =
        serde_json::from_str(builtin::ALL[0].json).expect("built-in JSON");
    json["link"]["delay_ms"] = serde_json::json!(-5);
    std::fs::write(&path, json.to_string()).unwrap();
    let out = farewell(&["run", path.to_str().unwrap(), "--format", "text"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("link.delay_ms"), "{err}");
}

#[test]
fn unwritable_output_is_an_error() {
    let dir = tmp("cli-no-such-dir");
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("x.pcap");
    let out = farewell(&[
        "run",
        "--builtin",
        "normal-close",
        "--format",
        "pcap",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write"), "{err}");
}

#[test]
fn svg_with_output_writes_the_diagram() {
    let path = tmp("cli-normal-close.svg");
    let _ = std::fs::remove_file(&path);
    let out = farewell(&[
        "run",
        "--builtin",
        "normal-close",
        "--format",
        "svg",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&path).expect("the svg was written");
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.contains("TIME_WAIT"), "{svg}");
}
