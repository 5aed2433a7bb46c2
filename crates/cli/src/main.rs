//! `farewell`: run TCP close scenarios from the command line.
//!
//! ```text
//! farewell run FILE.json [--format jsonl|text|pcap|svg] [--output PATH]
//! farewell run --builtin NAME [--format jsonl|text|pcap|svg] [--output PATH]
//! farewell explain CAPTURE [--conn N] [--format text|jsonl] [--platform P] [--output PATH]
//! farewell scenarios
//! farewell platforms
//! ```

use clap::{Parser, Subcommand, ValueEnum};
use farewell_engine::scenario::MAX_FILE_BYTES;
use farewell_engine::{builtin, simulate, Scenario};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

/// Run TCP close scenarios and print their traces, diagrams and captures.
#[derive(Debug, Parser)]
#[command(name = "farewell", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario (a file or a built-in) and write its trace.
    Run(RunArgs),
    /// List the built-in scenarios.
    Scenarios,
    /// MSL and TIME_WAIT of each platform profile.
    Platforms,
    /// The TIME_WAIT accumulation lab: many connections per second against the
    /// kernel's port and TIME_WAIT rules, one row per simulated second.
    Lab(LabArgs),
    /// Read a tcpdump/Wireshark capture (pcap or pcapng): list its TCP
    /// connections, infer each side's states and timers, and say what went wrong.
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
struct ExplainArgs {
    /// The capture file (`-` for standard input).
    #[arg(value_name = "CAPTURE")]
    capture: String,
    /// Which connection (1-based, as listed); default: the first with a FIN or RST.
    #[arg(long, value_name = "N")]
    conn: Option<usize>,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
    /// The stack both hosts are assumed to run: it gives the timers a capture
    /// cannot show (TIME_WAIT, FIN_WAIT_2 timeout). `farewell platforms` lists them.
    #[arg(long, value_name = "P", default_value = "linux")]
    platform: String,
    /// Write to PATH instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    output: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExplainFormat {
    /// The connections, each side's inferred states with times, and the narration.
    Text,
    /// One JSON object per connection, inferred state change and finding
    /// (the README's "farewell explain" documents the fields).
    Jsonl,
    /// The connection as a Farewell sequence diagram (standalone SVG): the
    /// capture's segments at their times at each host, the inferred states.
    Svg,
}

/// `farewell lab`'s knobs; each defaults to the lab's own default
/// (`farewell_lab::LabConfig::default`).
#[derive(Debug, clap::Args)]
struct LabArgs {
    /// Platform profile (TIME_WAIT length, ephemeral range, timestamps).
    #[arg(long, value_name = "P")]
    platform: Option<String>,
    /// Requests per second (1 to 100,000).
    #[arg(long, value_name = "N")]
    rate: Option<u32>,
    /// A burst on top of the rate: RATE a second from AT s for FOR s.
    #[arg(long, value_name = "RATE@AT+FOR")]
    burst: Option<String>,
    /// Seconds to simulate (at most 600).
    #[arg(long, value_name = "S")]
    duration: Option<u32>,
    /// Which side closes first, and so holds TIME_WAIT.
    #[arg(long, value_enum)]
    closer: Option<CloserArg>,
    /// The client's ephemeral port range (`ip_local_port_range`).
    #[arg(long, value_name = "LO-HI")]
    ports: Option<String>,
    #[arg(long, value_name = "N")]
    source_ips: Option<u32>,
    #[arg(long, value_name = "N")]
    destinations: Option<u32>,
    /// `net.ipv4.tcp_tw_reuse`: 0 off, 1 on, 2 loopback only (Linux's default).
    #[arg(long, value_name = "0|1|2")]
    tw_reuse: Option<u8>,
    /// The destinations are loopback addresses (`tcp_tw_reuse = 2` then applies).
    #[arg(long)]
    loopback: bool,
    /// TCP timestamps on both hosts (default: the platform's).
    #[arg(long, value_enum)]
    timestamps: Option<OnOff>,
    /// `net.ipv4.tcp_max_tw_buckets`.
    #[arg(long, value_name = "N")]
    max_tw_buckets: Option<u32>,
    /// Keep-alive: requests carried by one connection (with --pool, 0: never closed).
    #[arg(long, value_name = "N")]
    requests_per_connection: Option<u32>,
    /// A fixed pool of N connections, kept open and reused for every request.
    #[arg(long, value_name = "N")]
    pool: Option<u32>,
    /// How long a connection lives, connect() to close().
    #[arg(long, value_name = "MS")]
    conn_ms: Option<f64>,
    #[arg(long, value_name = "MS")]
    delay_ms: Option<f64>,
    /// TIME_WAIT length instead of the platform's.
    #[arg(long, value_name = "MS")]
    time_wait_ms: Option<f64>,
    /// Segment loss probability (lifecycles are then sampled per seed).
    #[arg(long, value_name = "P")]
    loss: Option<f64>,
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// The server exits and binds again at this second.
    #[arg(long, value_name = "S")]
    restart_at: Option<f64>,
    /// The server sets SO_REUSEADDR on every listener it creates.
    #[arg(long, requires = "restart_at")]
    reuseaddr: bool,
    #[arg(long, value_enum, default_value_t = LabFormat::Jsonl)]
    format: LabFormat,
    /// Write to PATH instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    output: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CloserArg {
    Client,
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LabFormat {
    /// One JSON object per simulated second, then `{"summary": {…}}`.
    Jsonl,
    /// The same rows as CSV with a header line (no summary).
    Csv,
    /// An `ss -s`-style summary and the risk line.
    Text,
    /// The lab page's chart as a standalone SVG file (light theme).
    Svg,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// A scenario file (JSON; see the README's "Scenario files").
    #[arg(
        value_name = "FILE",
        required_unless_present = "builtin",
        conflicts_with = "builtin"
    )]
    file: Option<String>,
    /// A built-in scenario instead of a file (`farewell scenarios` lists them).
    #[arg(long, value_name = "NAME")]
    builtin: Option<String>,
    /// What to write.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Write to PATH instead of standard output.
    #[arg(long, short, value_name = "PATH")]
    output: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The trace, one JSON event per line.
    #[value(alias = "json")]
    Jsonl,
    /// tcpdump-style lines with state changes, timers and application calls.
    Text,
    /// A capture for tcpdump/Wireshark (binary: needs --output PATH or a
    /// redirected standard output).
    Pcap,
    /// The sequence diagram as a standalone SVG file.
    Svg,
}

impl Format {
    fn is_binary(self) -> bool {
        self == Format::Pcap
    }
}

/// What a command produced and where it goes.
#[derive(Debug, PartialEq)]
struct Output {
    bytes: Vec<u8>,
    /// `--output PATH`; standard output when `None`.
    path: Option<String>,
    /// Said on stderr after the output is written, with exit status 2: the
    /// run was cut short by the work budget.
    warning: Option<String>,
}

impl Output {
    fn stdout(text: String) -> Output {
        Output {
            bytes: text.into_bytes(),
            path: None,
            warning: None,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args, std::io::stdout().is_terminal()).and_then(deliver) {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(warning)) => {
            eprintln!("farewell: {warning}");
            ExitCode::from(2)
        }
        Err(msg) => {
            eprintln!("farewell: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Writes the output; returns the warning to give after it, if any.
fn deliver(out: Output) -> Result<Option<String>, String> {
    match out.path {
        Some(path) => {
            std::fs::write(&path, &out.bytes).map_err(|e| format!("cannot write {path}: {e}"))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`farewell … | head`) is not an error worth a message.
            let _ = stdout.write_all(&out.bytes).and_then(|()| stdout.flush());
        }
    }
    Ok(out.warning)
}

/// Everything but writing, so it can be tested. `stdout_is_terminal` decides
/// whether binary output may go to standard output. `--help` and `--version`
/// are output; every other argument error is an error (exit status 2).
fn run(args: &[String], stdout_is_terminal: bool) -> Result<Output, String> {
    let cli = match Cli::try_parse_from(
        std::iter::once("farewell".to_string()).chain(args.iter().cloned()),
    ) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => return Ok(Output::stdout(e.render().to_string())),
        Err(e) => {
            let text = e.render().to_string();
            return Err(text
                .strip_prefix("error: ")
                .unwrap_or(&text)
                .trim_end()
                .to_string());
        }
    };
    match cli.command {
        Command::Lab(args) => lab(&args),
        Command::Explain(args) => explain(&args),
        Command::Scenarios => Ok(Output::stdout(list_scenarios())),
        Command::Platforms => Ok(Output::stdout(list_platforms())),
        Command::Run(opts) => {
            if opts.format.is_binary() && opts.output.is_none() && stdout_is_terminal {
                return Err(
                    "pcap is binary: use --output FILE or redirect standard output (> FILE)".into(),
                );
            }
            let (scenario, source) = load(&opts)?;
            let trace = simulate(&scenario);
            let bytes = match opts.format {
                Format::Jsonl => trace.to_json_lines().into_bytes(),
                Format::Text => trace.to_text().into_bytes(),
                Format::Pcap => farewell_export::pcap(&trace, &scenario)
                    .map_err(|e| format!("pcap export: {e}"))?,
                Format::Svg => {
                    farewell_diagram::render_svg(&farewell_diagram::layout(&trace)).into_bytes()
                }
            };
            // A run the work budget cut short still gives its (bounded) trace.
            let warning = trace
                .end()
                .and_then(|(_, stop)| stop)
                .map(|stop| format!("{source}: {stop} (limits: README, Reliability)"));
            Ok(Output {
                bytes,
                path: opts.output,
                warning,
            })
        }
    }
}

/// `--platform P` of `explain` and `lab`, with one message for a bad name.
fn platform_arg(p: &str) -> Result<farewell_engine::Platform, String> {
    farewell_engine::Platform::from_id(p).ok_or_else(|| {
        format!(
            "--platform: no platform `{}`; choose one of: {}",
            farewell_json::shown(p),
            farewell_engine::Platform::ALL.map(|p| p.id()).join(", ")
        )
    })
}

/// `farewell explain`: read the capture, pick the connection, infer, print.
fn explain(args: &ExplainArgs) -> Result<Output, String> {
    use farewell_capture::explain as ex;
    let path = &args.capture;
    let bytes = read_capture_file(path)?;
    let capture = farewell_capture::read(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let platform = platform_arg(&args.platform)?;
    let conn = match args.conn {
        Some(0) => return Err("--conn counts from 1".into()),
        Some(n) => n - 1,
        None => capture.default_connection().unwrap_or(0),
    };
    let opts = farewell_capture::Options {
        profile: platform.profile(),
    };
    let inf = farewell_capture::infer(&capture, conn, &opts).map_err(|e| format!("{path}: {e}"))?;
    let text = match args.format {
        ExplainFormat::Text => {
            let mut out = ex::connections_text(&capture, conn);
            for note in ex::reader_notes(&capture) {
                out.push_str(&format!("note: {note}\n"));
            }
            out.push('\n');
            out.push_str(&ex::to_text(&inf));
            out
        }
        ExplainFormat::Svg => farewell_diagram::render_svg(&farewell_diagram::layout(
            &farewell_capture::trace::to_trace(&inf),
        )),
        ExplainFormat::Jsonl => {
            let mut out = String::new();
            for line in ex::lines(&capture, &inf) {
                out.push_str(&serde_json::to_string(&line).map_err(|e| e.to_string())?);
                out.push('\n');
            }
            out
        }
    };
    Ok(Output {
        bytes: text.into_bytes(),
        path: args.output.clone(),
        warning: None,
    })
}

/// A capture's bytes, refused beyond the reader's limit without reading it all.
fn read_capture_file(path: &str) -> Result<Vec<u8>, String> {
    let limit = farewell_capture::MAX_BYTES;
    let mut bytes = Vec::new();
    let result = if path == "-" {
        std::io::stdin()
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        if let Ok(meta) = file.metadata() {
            if meta.is_file() && meta.len() > limit as u64 {
                let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
                return Err(format!(
                    "{path}: {}",
                    farewell_capture::CaptureError::TooLarge { len }
                ));
            }
        }
        file.take(limit as u64 + 1).read_to_end(&mut bytes)
    };
    result.map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() > limit {
        return Err(format!(
            "{path}: larger than {} MiB, the most a capture can be (cut it with editcap or tcpdump -c)",
            limit >> 20
        ));
    }
    Ok(bytes)
}

/// `farewell lab`: the config from the flags, run, written in the chosen format.
fn lab(args: &LabArgs) -> Result<Output, String> {
    let cfg = lab_config(args)?;
    let run = farewell_lab::run(&cfg).map_err(|e| e.to_string())?;
    let text = match args.format {
        LabFormat::Jsonl => {
            let mut out = String::new();
            for row in &run.rows {
                out.push_str(&serde_json::to_string(row).map_err(|e| e.to_string())?);
                out.push('\n');
            }
            let summary = serde_json::json!({ "summary": run.summary });
            out.push_str(&summary.to_string());
            out.push('\n');
            out
        }
        LabFormat::Csv => {
            let mut out = String::from(
                "t_s,established,time_wait_client,time_wait_server,ports_in_use,connects,connect_failures,tw_reused,tw_overflow,memory_bytes,bind\n",
            );
            for r in &run.rows {
                let counts: Vec<String> = r.counts().iter().map(u64::to_string).collect();
                out.push_str(&format!(
                    "{},{},{},{}\n",
                    r.t_s,
                    counts.join(","),
                    r.memory_bytes,
                    r.bind.join(" ")
                ));
            }
            out
        }
        LabFormat::Text => lab_text(&cfg, &run),
        LabFormat::Svg => farewell_lab_view::chart_svg_file(
            &cfg,
            &run.rows,
            &Default::default(),
            Default::default(),
        ),
    };
    Ok(Output {
        bytes: text.into_bytes(),
        path: args.output.clone(),
        warning: None,
    })
}

fn lab_config(a: &LabArgs) -> Result<farewell_lab::LabConfig, String> {
    let mut cfg = farewell_lab::LabConfig::default();
    if let Some(p) = &a.platform {
        cfg.platform = platform_arg(p)?;
    }
    if let Some(r) = &a.ports {
        let bad = || {
            format!(
                "--ports: give LO-HI, e.g. 32768-60999, not `{}`",
                farewell_json::shown(r)
            )
        };
        let (lo, hi) = r.split_once('-').ok_or_else(bad)?;
        cfg.ports = Some(farewell_lab::PortRange {
            lo: lo.trim().parse().map_err(|_| bad())?,
            hi: hi.trim().parse().map_err(|_| bad())?,
        });
    }
    macro_rules! set {
        ($($field:ident = $value:expr),* $(,)?) => {
            $(if let Some(v) = $value { cfg.$field = v; })*
        };
    }
    set!(
        rate = a.rate,
        duration_s = a.duration,
        source_ips = a.source_ips,
        destinations = a.destinations,
        tw_reuse = a.tw_reuse,
        requests_per_connection = a.requests_per_connection,
        conn_ms = a.conn_ms,
        delay_ms = a.delay_ms,
        loss = a.loss,
        seed = a.seed,
    );
    if let Some(b) = &a.burst {
        farewell_lab_view::knobs::set(&mut cfg, "burst", b).map_err(|e| format!("--{e}"))?;
    }
    cfg.loopback = a.loopback;
    cfg.time_wait_ms = a.time_wait_ms;
    if let Some(c) = a.closer {
        cfg.closer = match c {
            CloserArg::Client => farewell_lab::Closer::Client,
            CloserArg::Server => farewell_lab::Closer::Server,
        };
    }
    if let Some(t) = a.timestamps {
        cfg.timestamps = Some(t == OnOff::On);
    }
    if a.max_tw_buckets.is_some() {
        cfg.max_tw_buckets = a.max_tw_buckets;
    }
    cfg.pool = a.pool;
    if a.restart_at.is_some() {
        cfg.restart_at_s = a.restart_at;
        cfg.reuseaddr = a.reuseaddr;
    }
    Ok(cfg)
}

/// `ss -s`-style: the last second's sockets, what happened over the run, and
/// the risk line (TIME_WAIT against half the port range).
fn lab_text(cfg: &farewell_lab::LabConfig, run: &farewell_lab::LabRun) -> String {
    let s = &run.summary;
    let last = run.rows.last().cloned().unwrap_or_default();
    let ports = cfg.port_supply();
    let mut out = format!(
        "TCP:   estab {}, timewait {} (client {}, server {}), ports in use {} of {}\n",
        last.established,
        last.time_wait_client + last.time_wait_server,
        last.time_wait_client,
        last.time_wait_server,
        last.ports_in_use,
        ports
    );
    out.push_str(&format!(
        "run:   {} connects, {} failed, {} took over a TIME_WAIT port, {} skipped TIME_WAIT (overflow)\n",
        s.connects, s.connect_failures, s.tw_reused, s.tw_overflow
    ));
    out.push_str(&format!(
        "TIME_WAIT: {} at the end, {} expected (rate {} /s × {} s), peak {}; memory peak {} bytes\n",
        s.steady_time_wait,
        s.expected_time_wait.round(),
        s.connection_rate,
        s.time_wait_s,
        s.peak_time_wait,
        s.peak_memory_bytes
    ));
    match s.first_failure_s {
        Some(t) => out.push_str(&format!("first connect() failure at {t} s\n")),
        None => out.push_str("no connect() failed\n"),
    }
    let half = ports / 2;
    let risk = if s.peak_time_wait >= half {
        "RISK: TIME_WAIT reached half the port range; new connections to the same destination can fail (EADDRNOTAVAIL)"
    } else {
        "ok: TIME_WAIT stayed under half the port range"
    };
    out.push_str(&format!("{risk} ({} of {half})\n", s.peak_time_wait));
    out
}

/// The scenario to run and how messages name it (the file's path, or
/// `--builtin NAME`).
fn load(opts: &RunArgs) -> Result<(Scenario, String), String> {
    match (&opts.file, &opts.builtin) {
        (Some(path), _) => {
            let text = read_scenario_file(path)?;
            let scenario = Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
            Ok((scenario, path.clone()))
        }
        (None, Some(name)) => {
            let scenario = builtin::get(name).ok_or_else(|| {
                format!(
                    "no built-in scenario `{}`; choose one of: {}",
                    farewell_json::shown(name),
                    builtin::ids().collect::<Vec<_>>().join(", ")
                )
            })?;
            Ok((scenario, format!("--builtin {name}")))
        }
        // clap requires one of the two.
        (None, None) => Err("run needs a FILE or --builtin NAME".into()),
    }
}

/// A scenario file's text, refused beyond [`MAX_FILE_BYTES`] without reading it
/// all (`/dev/zero` included).
fn read_scenario_file(path: &str) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{path}: larger than {} KiB; a scenario file is at most that",
            MAX_FILE_BYTES / 1024
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("{path}: not UTF-8 text ({e})"))
}

fn list_scenarios() -> String {
    let mut out = String::new();
    for b in builtin::ALL {
        let s = b.scenario();
        out.push_str(&format!("{:<26} {}\n", b.id, s.name));
    }
    out
}

fn list_platforms() -> String {
    let mut out = String::new();
    for p in farewell_engine::Platform::ALL {
        let pr = p.profile();
        out.push_str(&format!(
            "{:<8} MSL {:>5} s  TIME_WAIT {:>5} s  {}\n",
            p.id(),
            pr.msl.as_ms() / 1000.0,
            pr.time_wait.as_ms() / 1000.0,
            pr.label
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn text(out: Output) -> String {
        String::from_utf8(out.bytes).expect("text output")
    }

    #[test]
    fn unknown_builtin_names_the_choices() {
        let err = run(&args(&["run", "--builtin", "nope"]), false).unwrap_err();
        assert!(err.contains("no built-in scenario `nope`"), "{err}");
        assert!(err.contains("normal-close"), "{err}");
    }

    #[test]
    fn text_format_prints_tcpdump_lines_and_states() {
        let out = text(
            run(
                &args(&["run", "--builtin", "normal-close", "--format", "text"]),
                true,
            )
            .unwrap(),
        );
        assert!(
            out.contains("A > B: Flags [F.], seq 6, ack 1, length 0"),
            "{out}"
        );
        assert!(out.contains("A: ESTABLISHED → FIN_WAIT_1"), "{out}");
    }

    #[test]
    fn bad_format_is_an_error_listing_the_formats() {
        let err = run(
            &args(&["run", "--builtin", "normal-close", "--format", "xml"]),
            false,
        )
        .unwrap_err();
        assert!(
            err.contains("invalid value 'xml' for '--format <FORMAT>'"),
            "{err}"
        );
        assert!(err.contains("jsonl, text, pcap, svg"), "{err}");
    }

    #[test]
    fn pcap_is_refused_on_a_terminal_without_output() {
        let a = args(&["run", "--builtin", "normal-close", "--format", "pcap"]);
        let err = run(&a, true).unwrap_err();
        assert!(err.contains("pcap is binary"), "{err}");
        assert!(err.contains("--output"), "{err}");
        // Redirected, it goes to standard output.
        let out = run(&a, false).unwrap();
        assert_eq!(out.path, None);
        let scenario = builtin::get("normal-close").unwrap();
        let want = farewell_export::pcap(&simulate(&scenario), &scenario).unwrap();
        assert_eq!(out.bytes, want);
    }

    #[test]
    fn output_names_the_destination_for_any_format() {
        let out = run(
            &args(&[
                "run",
                "--builtin",
                "normal-close",
                "--format",
                "pcap",
                "--output",
                "x.pcap",
            ]),
            true,
        )
        .unwrap();
        assert_eq!(out.path.as_deref(), Some("x.pcap"));
        let out = run(
            &args(&["run", "--builtin", "normal-close", "-o", "t.jsonl"]),
            true,
        )
        .unwrap();
        assert_eq!(out.path.as_deref(), Some("t.jsonl"));
        assert!(text(out).starts_with("{\"t_ms\":0.0,\"event\":\"start\""));
        let err = run(
            &args(&["run", "--builtin", "normal-close", "--output"]),
            true,
        )
        .unwrap_err();
        assert!(err.contains("'--output <PATH>'"), "{err}");
        let err = run(
            &args(&["run", "--builtin", "normal-close", "-o", "a", "-o", "b"]),
            true,
        )
        .unwrap_err();
        assert!(err.contains("cannot be used multiple times"), "{err}");
    }

    #[test]
    fn help_lists_every_command_and_format() {
        let out = text(run(&args(&["--help"]), true).unwrap());
        for c in ["run", "scenarios", "platforms"] {
            assert!(out.contains(&format!("  {c} ")), "{c} missing: {out}");
        }
        let out = text(run(&args(&["run", "--help"]), true).unwrap());
        for f in ["jsonl", "text", "pcap", "svg"] {
            assert!(out.contains(&format!("{f}:")), "{f} missing: {out}");
        }
        assert!(out.contains("--output <PATH>"), "{out}");
        assert!(out.contains("--builtin <NAME>"), "{out}");
    }

    #[test]
    fn a_file_and_a_builtin_together_are_refused() {
        let err = run(&args(&["run", "x.json", "--builtin", "lost-fin"]), false).unwrap_err();
        assert!(err.contains("cannot be used with"), "{err}");
        let err = run(&args(&["run"]), false).unwrap_err();
        assert!(
            err.contains("required arguments were not provided"),
            "{err}"
        );
    }

    #[test]
    fn svg_format_is_the_diagram_as_a_standalone_file() {
        let out = text(
            run(
                &args(&["run", "--builtin", "half-close", "--format", "svg"]),
                true,
            )
            .unwrap(),
        );
        assert!(
            out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{out}"
        );
        assert!(out.trim_end().ends_with("</svg>"), "{out}");
        let scenario = builtin::get("half-close").unwrap();
        let want = farewell_diagram::render_svg(&farewell_diagram::layout(&simulate(&scenario)));
        assert_eq!(out, want);
        // The diagram shows the states the half-close passes through.
        assert!(out.contains("FIN_WAIT_2"), "{out}");
        assert!(out.contains("CLOSE_WAIT"), "{out}");
    }
}
