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
        err.contains("farewell: invalid value 'xml' for '--format <FORMAT>'")
            && err.contains("[possible values: jsonl, text, pcap, svg]"),
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

// ----- hostile files (issue 9) -----

/// The documented bounds on what one accepted scenario can produce (README,
/// Reliability): JSON Lines and text at most 12,501 lines of at most 400 and
/// 200 bytes, pcap at most 2,500 frames of at most 1,530 bytes after its
/// 24-byte header; SVG as measured with room to spare.
const MAX_JSONL_BYTES: u64 = 5_000_400;
const MAX_TEXT_BYTES: u64 = 2_500_200;
const MAX_PCAP_BYTES: u64 = 24 + 2_500 * (16 + 54 + 1460);
const MAX_SVG_BYTES: u64 = 6_000_000;

/// Runs the binary with stdout to a file; returns (exit code, stdout size,
/// stderr, peak resident memory in KiB as the kernel counted it).
fn farewell_measured(args: &[&str], out_name: &str) -> (Option<i32>, u64, String, i64) {
    use std::process::Stdio;
    let out_path = tmp(out_name);
    let err_path = tmp(&format!("{out_name}.err"));
    // Reaped below by wait4, which also gives its peak memory (std's wait does not).
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_farewell"))
        .args(args)
        .stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_path).unwrap()))
        .spawn()
        .expect("the farewell binary runs");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in, and the pid
    // is our own child, waited for once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let size = std::fs::metadata(&out_path).unwrap().len();
    let stderr = std::fs::read_to_string(&err_path).unwrap();
    (code, size, stderr, usage.ru_maxrss)
}

fn write_tmp(name: &str, text: &str) -> String {
    let path = tmp(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn sends(n: usize, bytes: u32) -> String {
    let one = format!(r#"{{"at_ms":0,"host":"A","do":"send","bytes":{bytes}}}"#);
    vec![one; n].join(",")
}

#[test]
fn text_after_the_scenario_is_an_error() {
    let path = write_tmp("cli-two-files.json", "{\"actions\":[]}\n{\"actions\":[]}\n");
    let out = farewell(&["run", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("text after the scenario"), "{err}");
    // White space after the object is fine.
    let path = write_tmp("cli-trailing-space.json", "{\"actions\":[]}\n\n  \t\n");
    assert!(farewell(&["run", &path]).status.success());
}

#[test]
fn huge_values_are_quoted_short_in_errors() {
    let big = "x".repeat(200_000);
    for (name, json) in [
        (
            "platform",
            format!(r#"{{"platform":"{big}","actions":[]}}"#),
        ),
        ("key", format!(r#"{{"{big}":1,"actions":[]}}"#)),
        (
            "host",
            format!(r#"{{"actions":[{{"at_ms":0,"host":"{big}","do":"close"}}]}}"#),
        ),
    ] {
        let path = write_tmp(&format!("cli-huge-{name}.json"), &json);
        let out = farewell(&["run", &path]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.len() < 600,
            "{name}: {} bytes of stderr: {err}",
            err.len()
        );
        assert!(err.contains("… (200000 bytes)"), "{name}: {err}");
    }
}

#[test]
fn files_over_256_kib_are_refused_unread() {
    let path = write_tmp(
        "cli-too-big.json",
        &format!(
            r#"{{"description":"{}","actions":[]}}"#,
            "y".repeat(300_000)
        ),
    );
    let out = farewell(&["run", &path]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("larger than 256 KiB"), "{err}");
}

/// The file behind the hostile link of issue 9: refused before simulating,
/// naming the send that takes the total over the budget, in little memory.
#[test]
fn a_scenario_over_the_work_budget_is_refused_naming_the_field() {
    let path = write_tmp(
        "cli-thousand-megabytes.json",
        &format!(r#"{{"actions":[{}]}}"#, sends(1000, 1_000_000)),
    );
    for format in ["jsonl", "pcap"] {
        let (code, size, err, rss_kib) =
            farewell_measured(&["run", &path, "--format", format], "cli-over-budget.out");
        assert_eq!(code, Some(2), "{format}: {err}");
        assert_eq!(size, 0, "{format}: nothing written");
        assert!(err.contains("actions[2].bytes"), "{err}");
        assert!(rss_kib < 64 * 1024, "{format}: peak memory {rss_kib} KiB");
    }
}

/// A scenario within the static limits that runs into the segment limit: the
/// trace up to there is written in every format, each within its documented
/// bound, and the exit status and message say it was cut short and why.
#[test]
fn a_run_cut_short_by_the_budget_writes_bounded_output_and_says_why() {
    let path = write_tmp(
        "cli-lossy-megabytes.json",
        &format!(
            r#"{{"link":{{"loss":0.3}},"actions":[{}]}}"#,
            sends(2, 1_000_000)
        ),
    );
    for (format, bound) in [
        ("jsonl", MAX_JSONL_BYTES),
        ("text", MAX_TEXT_BYTES),
        ("svg", MAX_SVG_BYTES),
        ("pcap", MAX_PCAP_BYTES),
    ] {
        let (code, size, err, rss_kib) =
            farewell_measured(&["run", &path, "--format", format], "cli-cut-short.out");
        assert_eq!(code, Some(2), "{format}: {err}");
        assert!(
            err.contains("link.loss: the run reached the work budget's limit of 2500 segments"),
            "{format}: {err}"
        );
        assert!(
            size > 0 && size <= bound,
            "{format}: {size} bytes, bound {bound}"
        );
        assert!(rss_kib < 256 * 1024, "{format}: peak memory {rss_kib} KiB");
    }
}

// ----- farewell lab (issue 11) -----

fn lab(args: &[&str]) -> Output {
    let mut all = vec!["lab"];
    all.extend_from_slice(args);
    farewell(&all)
}

/// 1,000 connections/s on Linux to one destination: the ports run out after
/// 28,232 / 1,000 s, as the arithmetic says.
#[test]
fn lab_jsonl_has_a_row_per_second_then_the_summary() {
    let out = lab(&["--rate", "1000", "--duration", "40"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 41, "40 rows and the summary");
    for (t, row) in lines[..40].iter().enumerate() {
        assert_eq!(row["t_s"], t as u64);
        for key in [
            "established",
            "time_wait_client",
            "time_wait_server",
            "ports_in_use",
            "connects",
            "connect_failures",
            "tw_reused",
            "tw_overflow",
            "memory_bytes",
        ] {
            assert!(row[key].is_u64(), "{key} in {row}");
        }
    }
    let summary = &lines[40]["summary"];
    let first = summary["first_failure_s"].as_f64().unwrap();
    assert!((first - 28.232).abs() < 0.5, "{summary}");
    assert_eq!(lines[39]["time_wait_client"], 28232);
}

#[test]
fn lab_csv_and_text_say_the_same_run() {
    let out = lab(&["--rate", "1000", "--duration", "40", "--format", "csv"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("t_s,established,time_wait_client,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 41);
    let out = lab(&["--rate", "1000", "--duration", "40", "--format", "text"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("first connect() failure at 28.232 s"),
        "{text}"
    );
    assert!(text.contains("RISK"), "{text}");
    // tcp_tw_reuse with timestamps: no failure.
    let out = lab(&[
        "--rate",
        "1000",
        "--duration",
        "40",
        "--tw-reuse",
        "1",
        "--format",
        "text",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("no connect() failed"), "{text}");
}

#[test]
fn lab_knobs_out_of_range_are_refused_naming_them() {
    for (args, want) in [
        (&["--rate", "0"][..], "rate"),
        (&["--ports", "9-x"][..], "--ports"),
        (&["--platform", "plan9"][..], "--platform"),
        (&["--tw-reuse", "7"][..], "tw_reuse"),
        (&["--reuseaddr"][..], "--restart-at"),
    ] {
        let out = lab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

/// The lab page shows the command that runs its config; that command, run,
/// gives the page's run: every preset, plus the knobs presets leave alone.
#[test]
fn the_lab_pages_command_line_runs_the_pages_config() {
    use farewell_lab_view::knobs::{cli_command, from_fragment};
    let mut fragments: Vec<&str> = farewell_lab_view::presets::PRESETS
        .iter()
        .map(|p| p.2)
        .collect();
    fragments.push(
        "platform=freebsd&rate=300&burst=3000@5+3&duration=30&ports=40000-45000&source-ips=2&destinations=3&loopback=on&conn-ms=250&delay-ms=2&loss=0.01&time-wait-ms=12000&seed=4",
    );
    fragments.push("rate=50&duration=20&tw-reuse=0&timestamps=off&max-tw-buckets=100");
    fragments.push("rate=5000&duration=30&requests-per-connection=0&pool=64");
    fragments.push(
        "platform=macos&rate=800&duration=40&destinations=3&requests-per-connection=20&pool=16",
    );
    for fragment in fragments {
        let cfg = from_fragment(fragment).unwrap();
        let command = cli_command(&cfg);
        let args: Vec<&str> = command
            .strip_prefix("farewell ")
            .unwrap()
            .strip_suffix(" --format text")
            .unwrap()
            .split(' ')
            .chain(["--format", "jsonl"])
            .collect();
        let out = farewell(&args);
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let summary: serde_json::Value =
            serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        let want = serde_json::to_value(farewell_lab::run(&cfg).unwrap().summary).unwrap();
        assert_eq!(summary["summary"], want, "{command}");
    }
}

#[test]
fn lab_svg_is_the_pages_chart_as_a_file() {
    let out = lab(&["--rate", "1000", "--duration", "40", "--format", "svg"]);
    assert!(out.status.success());
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" class="lab-chart""#));
    assert!(svg.contains(">ports</tspan>"));
    assert!(svg.contains(">28,232</tspan>"));
    assert!(svg.ends_with("</svg>"));
}

// ----- farewell explain -----

fn builtin_pcap(id: &str) -> PathBuf {
    let scenario = builtin::get(id).unwrap();
    let path = tmp(&format!("explain-{id}.pcap"));
    std::fs::write(
        &path,
        farewell_export::pcap(&simulate(&scenario), &scenario).unwrap(),
    )
    .unwrap();
    path
}

#[test]
fn explain_prints_connections_states_and_narration() {
    let path = builtin_pcap("fin-wait-2-timeout");
    let out = farewell(&["explain", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "connections (1):\n*   1  10.0.0.1:40000 → 10.0.0.2:80  #1  6 frames  FIN RST\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("A  FIN_WAIT_2   → CLOSED       FIN_WAIT_2 timeout expired"),
        "{text}"
    );
    assert!(
        text.contains(
            "  - B never sent its FIN: A waited in FIN_WAIT_2 for 60 s until tcp_fin_timeout; \
             B's FIN came only at +90.000000 s (frame 5)\n"
        ),
        "{text}"
    );
}

/// `--format svg` draws the capture with the playground's renderer: the
/// same lifelines, arrows and state bands as a simulation's diagram.
#[test]
fn explain_svg_draws_the_capture_as_a_diagram() {
    let path = builtin_pcap("lost-final-ack");
    let out = farewell(&["explain", path.to_str().unwrap(), "--format", "svg"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{}",
        &svg[..80]
    );
    // One arrow per frame of the connection.
    let frames = farewell_capture::read(&std::fs::read(&path).unwrap())
        .unwrap()
        .connections[0]
        .packets
        .len();
    assert_eq!(svg.matches("data-seg-id=").count(), frames);
    assert!(svg.contains("TIME_WAIT"));
}

#[test]
fn explain_jsonl_is_one_object_per_line() {
    let path = builtin_pcap("lost-final-ack");
    let out = farewell(&[
        "explain",
        path.to_str().unwrap(),
        "--format",
        "jsonl",
        "--conn",
        "1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines[0]["event"], "connection");
    assert_eq!(lines[1]["event"], "position");
    let states: Vec<_> = lines.iter().filter(|l| l["event"] == "state").collect();
    // A: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED; B: CLOSE_WAIT, LAST_ACK, CLOSED.
    assert_eq!(states.len(), 7);
    assert!(lines
        .iter()
        .any(|l| l["event"] == "finding" && l["kind"] == "time_wait_restarted"));
}

#[test]
fn explain_reads_standard_input() {
    let scenario = builtin::get("normal-close").unwrap();
    let pcap = farewell_export::pcap(&simulate(&scenario), &scenario).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_farewell"))
        .args(["explain", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&pcap).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("A entered TIME_WAIT"));
}

#[test]
fn explain_refuses_bad_input_with_a_message() {
    let not = tmp("explain-not-a-capture.txt");
    std::fs::write(&not, "hello\n").unwrap();
    let normal = builtin_pcap("normal-close");
    let cases: [(&[&str], &str); 5] = [
        (&["explain", "/dev/zero"], "/dev/zero: larger than 64 MiB"),
        (&["explain", not.to_str().unwrap()], "not a capture file"),
        (
            &["explain", "/nonexistent/x.pcap"],
            "cannot read /nonexistent/x.pcap",
        ),
        (
            &["explain", normal.to_str().unwrap(), "--conn", "0"],
            "--conn counts from 1",
        ),
        (
            &["explain", normal.to_str().unwrap(), "--conn", "2"],
            "there is no connection 2: the capture has 1",
        ),
    ];
    for (args, msg) in cases {
        let out = farewell(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    // A capture with no TCP: an empty pcap (header only).
    let empty = tmp("explain-empty.pcap");
    let mut header = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    header.extend_from_slice(&[0; 8]);
    header.extend_from_slice(&262_144u32.to_le_bytes());
    header.extend_from_slice(&1u32.to_le_bytes());
    std::fs::write(&empty, header).unwrap();
    let out = farewell(&["explain", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("the capture has no TCP segments (0 frames read)"));
}

#[test]
fn a_bad_platform_is_refused_alike_by_explain_and_lab() {
    let path = builtin_pcap("normal-close");
    let explain = farewell(&["explain", path.to_str().unwrap(), "--platform", "plan9"]);
    let lab = lab(&["--platform", "plan9"]);
    for out in [&explain, &lab] {
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--platform: no platform `plan9`; choose one of: linux"),
            "{err}"
        );
    }
}

/// Real tcpdump files of real Linux closes (`tests/pcaps/record.sh`: two
/// network namespaces, a veth pair, nft drops on the receiver's input), read
/// and explained as an on-call engineer would, with `farewell explain`.
fn explain_recorded(name: &str) -> String {
    explain_recorded_with(name, &[])
}

/// `name` is a file in tests/pcaps: `lost-fin` (.pcap) or `reconnect.pcapng`.
fn explain_recorded_with(name: &str, args: &[&str]) -> String {
    let file = if name.contains('.') {
        name.to_string()
    } else {
        format!("{name}.pcap")
    };
    let path = format!("{}/tests/pcaps/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut all = vec!["explain", path.as_str()];
    all.extend_from_slice(args);
    let out = farewell(&all);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn assert_has(text: &str, lines: &[&str]) {
    for l in lines {
        assert!(text.contains(l), "missing {l:?} in:\n{text}");
    }
}

#[test]
fn a_real_tcpdump_normal_close_is_read_and_explained() {
    for name in ["normal-close", "any-sll2"] {
        let text = explain_recorded(name);
        assert_has(
            &text,
            &[
                "10.0.9.1:40000 → 10.0.9.2:80  #1  9 frames  FIN",
                "A  ESTABLISHED  → FIN_WAIT_1   sent frame 6",
                "A  FIN_WAIT_1   → FIN_WAIT_2   received frame 7",
                "B  CLOSE_WAIT   → LAST_ACK     sent frame 8",
                "A  FIN_WAIT_2   → TIME_WAIT    received frame 8",
                "at the last frame: A TIME_WAIT, B CLOSED",
                "A closed first (its FIN, frame 6",
            ],
        );
        assert!(
            !text.contains("retransmitted"),
            "{name}: nothing was lost\n{text}"
        );
    }
}

#[test]
fn a_real_lost_fin_is_found_from_its_retransmission() {
    let text = explain_recorded("lost-fin");
    assert_has(
        &text,
        &[
            "10 frames  FIN",
            "A's FIN (frame 6) was retransmitted once after 2",
            "the first copy never reached B",
            "A  FIN_WAIT_1   → FIN_WAIT_2   received frame 8",
            "at the last frame: A TIME_WAIT, B CLOSED",
        ],
    );
}

#[test]
fn a_real_abort_is_a_rst_and_no_time_wait() {
    let text = explain_recorded("abort-rst");
    assert_has(
        &text,
        &[
            "6 frames  RST",
            "A  ESTABLISHED  → CLOSED       sent frame 6",
            "at the last frame: A CLOSED, B CLOSED",
            "A aborted the connection: a RST instead of a FIN",
        ],
    );
    assert!(!text.contains("TIME_WAIT ("), "{text}");
}

#[test]
fn a_real_ipv6_close_is_read_and_explained() {
    let text = explain_recorded("ipv6-close");
    assert_has(
        &text,
        &[
            "[fd00:9::1]:40000 → [fd00:9::2]:80  #1  9 frames  FIN",
            "A  FIN_WAIT_1   → FIN_WAIT_2   received frame 7",
            "A  FIN_WAIT_2   → TIME_WAIT    received frame 8",
            "at the last frame: A TIME_WAIT, B CLOSED",
        ],
    );
}

/// A pcapng file (dumpcap) with three connections, two of them on one
/// 4-tuple: A took its own TIME_WAIT over (timestamps on) and connected again.
#[test]
fn a_real_pcapng_with_a_reconnect_lists_each_incarnation() {
    let listing = [
        "connections (3):",
        "10.0.9.1:40000 → 10.0.9.2:80  #1  9 frames  FIN",
        "10.0.9.1:40000 → 10.0.9.2:80  #2  9 frames  FIN",
        "10.0.9.1:40001 → 10.0.9.2:80  #1  9 frames  FIN",
    ];
    for (conn, first_frame) in [("1", 1), ("2", 10), ("3", 19)] {
        let text = explain_recorded_with("reconnect.pcapng", &["--conn", conn]);
        assert_has(&text, &listing);
        assert_has(
            &text,
            &[
                &format!("A  CLOSED       → SYN_SENT     sent frame {first_frame}"),
                &format!(
                    "A  FIN_WAIT_1   → FIN_WAIT_2   received frame {}",
                    first_frame + 6
                ),
                "at the last frame: A TIME_WAIT, B CLOSED",
            ],
        );
    }
}

#[test]
fn a_real_any_interface_capture_is_placed_on_its_host_by_the_packet_type() {
    // Taken on A with `tcpdump -i any`: the SLL2 headers mark A's frames
    // outgoing. The Ethernet capture of the same close has no such mark, and
    // the veth pair's zero delay leaves the capture point a guess.
    let text = explain_recorded("any-sll2");
    assert_has(
        &text,
        &["capture point: on A (its link-layer headers mark A's frames outgoing, B's incoming)"],
    );
    assert!(!explain_recorded("normal-close").contains("capture point: on "));
    let path = format!("{}/tests/pcaps/any-sll2.pcap", env!("CARGO_MANIFEST_DIR"));
    let out = farewell(&["explain", &path, "--format", "jsonl"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let position = text
        .lines()
        .find(|l| l.contains(r#""event":"position""#))
        .unwrap();
    assert!(position.contains(r#""vantage":"near_a""#), "{position}");
    assert!(position.contains(r#""to_a_us":0,"#), "{position}");
    assert!(position.contains(r#""by_packet_type":true"#), "{position}");
}
