//! `farewell`: run TCP close scenarios from the command line.
//!
//! ```text
//! farewell run FILE.json [--format jsonl|text]
//! farewell run --builtin NAME [--format jsonl|text]
//! farewell scenarios
//! ```

use farewell_engine::{builtin, simulate, Scenario};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage:
  farewell run FILE.json [--format jsonl|text]
  farewell run --builtin NAME [--format jsonl|text]
  farewell scenarios
  farewell platforms";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    JsonLines,
    Text,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`farewell … | head`) is not an error worth a message.
            let _ = stdout.write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("farewell: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Everything but printing, so it can be tested.
fn run(args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("scenarios") => Ok(list_scenarios()),
        Some("platforms") => Ok(list_platforms()),
        Some("run") => {
            let (scenario, format) = parse_run(&args[1..])?;
            let trace = simulate(&scenario);
            Ok(match format {
                Format::JsonLines => trace.to_json_lines(),
                Format::Text => trace.to_text(),
            })
        }
        Some("-h" | "--help" | "help") => Ok(format!("{USAGE}\n")),
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
        None => Err(USAGE.to_string()),
    }
}

fn parse_run(args: &[String]) -> Result<(Scenario, Format), String> {
    let mut format = Format::JsonLines;
    let mut file = None;
    let mut builtin_name = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => {
                format = match it.next().map(String::as_str) {
                    Some("jsonl" | "json") => Format::JsonLines,
                    Some("text") => Format::Text,
                    Some(f) => return Err(format!("--format: unknown format `{f}` (jsonl, text)")),
                    None => return Err("--format needs a value (jsonl, text)".into()),
                }
            }
            "--builtin" => {
                builtin_name = Some(
                    it.next()
                        .ok_or("--builtin needs a scenario name (see `farewell scenarios`)")?
                        .clone(),
                )
            }
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`\n{USAGE}")),
            s => {
                if file.replace(s.to_string()).is_some() {
                    return Err("give one scenario file".into());
                }
            }
        }
    }
    let scenario = match (file, builtin_name) {
        (Some(_), Some(_)) => return Err("give a FILE or --builtin NAME, not both".into()),
        (None, None) => return Err(format!("run needs a FILE or --builtin NAME\n{USAGE}")),
        (None, Some(name)) => builtin::get(&name).ok_or_else(|| {
            format!(
                "no built-in scenario `{name}`; choose one of: {}",
                builtin::ids().collect::<Vec<_>>().join(", ")
            )
        })?,
        (Some(path), None) => {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?
        }
    };
    Ok((scenario, format))
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

    #[test]
    fn unknown_builtin_names_the_choices() {
        let err = run(&args(&["run", "--builtin", "nope"])).unwrap_err();
        assert!(err.contains("no built-in scenario `nope`"), "{err}");
        assert!(err.contains("normal-close"), "{err}");
    }

    #[test]
    fn text_format_prints_tcpdump_lines_and_states() {
        let out = run(&args(&[
            "run",
            "--builtin",
            "normal-close",
            "--format",
            "text",
        ]))
        .unwrap();
        assert!(
            out.contains("A > B: Flags [F.], seq 6, ack 1, length 0"),
            "{out}"
        );
        assert!(out.contains("A: ESTABLISHED → FIN_WAIT_1"), "{out}");
    }

    #[test]
    fn bad_format_is_an_error() {
        let err = run(&args(&[
            "run",
            "--builtin",
            "normal-close",
            "--format",
            "xml",
        ]))
        .unwrap_err();
        assert!(err.contains("--format"), "{err}");
    }
}
