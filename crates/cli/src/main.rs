//! `farewell`: run TCP close scenarios from the command line.
//!
//! ```text
//! farewell run FILE.json [--format jsonl|text|pcap|svg] [--output PATH]
//! farewell run --builtin NAME [--format jsonl|text|pcap|svg] [--output PATH]
//! farewell scenarios
//! farewell platforms
//! ```

use farewell_engine::scenario::MAX_FILE_BYTES;
use farewell_engine::{builtin, simulate, Scenario};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage:
  farewell run FILE.json [--format FORMAT] [--output PATH]
  farewell run --builtin NAME [--format FORMAT] [--output PATH]
  farewell scenarios
  farewell platforms

formats:
  jsonl  the trace, one JSON event per line (default)
  text   tcpdump-style lines with state changes, timers and application calls
  pcap   a capture for tcpdump/Wireshark (binary: needs --output PATH or a
         redirected stdout)
  svg    the sequence diagram as a standalone SVG file

--output PATH writes to PATH instead of standard output.";

/// The `--format` values, for error messages.
const FORMATS: &str = "jsonl, text, pcap, svg";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    JsonLines,
    Text,
    /// Classic pcap (see `farewell_export::pcap`).
    Pcap,
    /// The playground's sequence diagram (see `farewell_diagram::render_svg`).
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
/// whether binary output may go to standard output.
fn run(args: &[String], stdout_is_terminal: bool) -> Result<Output, String> {
    match args.first().map(String::as_str) {
        Some("scenarios") => Ok(Output::stdout(list_scenarios())),
        Some("platforms") => Ok(Output::stdout(list_platforms())),
        Some("run") => {
            let opts = parse_run(&args[1..])?;
            if opts.format.is_binary() && opts.output.is_none() && stdout_is_terminal {
                return Err(
                    "pcap is binary: use --output FILE or redirect standard output (> FILE)".into(),
                );
            }
            let trace = simulate(&opts.scenario);
            let bytes = match opts.format {
                Format::JsonLines => trace.to_json_lines().into_bytes(),
                Format::Text => trace.to_text().into_bytes(),
                Format::Pcap => farewell_export::pcap(&trace, &opts.scenario)
                    .map_err(|e| format!("pcap export: {e}"))?,
                Format::Svg => {
                    farewell_diagram::render_svg(&farewell_diagram::layout(&trace)).into_bytes()
                }
            };
            // A run the work budget cut short still gives its (bounded) trace.
            let warning = trace
                .end()
                .and_then(|(_, stop)| stop)
                .map(|stop| format!("{}: {stop} (limits: README, Reliability)", opts.source));
            Ok(Output {
                bytes,
                path: opts.output,
                warning,
            })
        }
        Some("-h" | "--help" | "help") => Ok(Output::stdout(format!("{USAGE}\n"))),
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
        None => Err(USAGE.to_string()),
    }
}

#[derive(Debug)]
struct RunOptions {
    scenario: Scenario,
    /// The file's path, or `--builtin NAME`, for messages.
    source: String,
    format: Format,
    output: Option<String>,
}

fn parse_run(args: &[String]) -> Result<RunOptions, String> {
    let mut format = Format::JsonLines;
    let mut file = None;
    let mut builtin_name = None;
    let mut output = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => {
                format = match it.next().map(String::as_str) {
                    Some("jsonl" | "json") => Format::JsonLines,
                    Some("text") => Format::Text,
                    Some("pcap") => Format::Pcap,
                    Some("svg") => Format::Svg,
                    Some(f) => return Err(format!("--format: unknown format `{f}` ({FORMATS})")),
                    None => return Err(format!("--format needs a value ({FORMATS})")),
                }
            }
            "--builtin" => {
                builtin_name = Some(
                    it.next()
                        .ok_or("--builtin needs a scenario name (see `farewell scenarios`)")?
                        .clone(),
                )
            }
            "--output" | "-o" => {
                let path = it.next().ok_or("--output needs a file path")?;
                if output.replace(path.clone()).is_some() {
                    return Err("give --output once".into());
                }
            }
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`\n{USAGE}")),
            s => {
                if file.replace(s.to_string()).is_some() {
                    return Err("give one scenario file".into());
                }
            }
        }
    }
    let (scenario, source) = match (file, builtin_name) {
        (Some(_), Some(_)) => return Err("give a FILE or --builtin NAME, not both".into()),
        (None, None) => return Err(format!("run needs a FILE or --builtin NAME\n{USAGE}")),
        (None, Some(name)) => {
            let scenario = builtin::get(&name).ok_or_else(|| {
                format!(
                    "no built-in scenario `{}`; choose one of: {}",
                    farewell_json::shown(&name),
                    builtin::ids().collect::<Vec<_>>().join(", ")
                )
            })?;
            (scenario, format!("--builtin {name}"))
        }
        (Some(path), None) => {
            let text = read_scenario_file(&path)?;
            let scenario = Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
            (scenario, path)
        }
    };
    Ok(RunOptions {
        scenario,
        source,
        format,
        output,
    })
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
        assert!(err.contains("--format: unknown format `xml`"), "{err}");
        assert!(err.contains("pcap"), "{err}");
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
        assert!(err.contains("--output needs a file path"), "{err}");
        let err = run(
            &args(&["run", "--builtin", "normal-close", "-o", "a", "-o", "b"]),
            true,
        )
        .unwrap_err();
        assert!(err.contains("once"), "{err}");
    }

    #[test]
    fn help_lists_every_format() {
        let out = text(run(&args(&["--help"]), true).unwrap());
        for f in FORMATS.split(", ") {
            assert!(out.contains(&format!("  {f} ")), "{f} missing: {out}");
        }
        assert!(out.contains("--output PATH"), "{out}");
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
