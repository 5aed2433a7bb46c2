//! `cargo xtask`: the project's two commands (and a third for the README's numbers).
//!
//! - `cargo xtask serve [--port N]`: install what is missing, then `trunk serve`.
//! - `cargo xtask test`: install what is missing, then run every test: native,
//!   formatting, clippy, the web crate's wasm tests in headless Chromium, a release
//!   build served under a sub-path, and the end-to-end tests in `web/e2e`.
//!   `--exhaustive` adds the long checks: the ones marked `#[ignore]` (every
//!   built-in with every pattern of up to three dropped segments) and 50 times
//!   the property-test cases (`FAREWELL_EXHAUSTIVE=1`), in release.
//! - `cargo xtask measure`: release build; gzipped sizes and time to first diagram.
//!
//! Every install step checks first and skips what is already there at the pinned
//! version, so a second run installs nothing. Nothing is downloaded while tests run.

mod install;
mod measure;
mod run;

use run::{Ctx, Steps};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--port N]   install what is missing, then serve the playground on http://127.0.0.1:N (default 8080)
  test               install what is missing, then run every test (native, wasm in headless Chromium, end-to-end)
  test --exhaustive  the same, plus the long checks (up to three dropped segments, 50x property cases)
  measure            release build; print gzipped sizes and the time to the first diagram
  help               this text";

/// The sub-path the release build is served under in tests, as on a course site.
pub const SUB_PATH: &str = "/course/farewell/";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => parse_port(&args[1..]).and_then(serve),
        Some("test") => parse_test(&args[1..]).and_then(test),
        Some("measure") if args.len() == 1 => measure::measure(&Ctx::new()),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(_) => Err(format!("unknown command: {}\n\n{USAGE}", args.join(" "))),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_port(args: &[String]) -> Result<u16, String> {
    match args {
        [] => Ok(8080),
        [flag, n] if flag == "--port" => n
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("--port wants a number from 1 to 65535, got {n:?}")),
        [flag] if flag.starts_with("--port=") => parse_port(&["--port".into(), flag[7..].into()]),
        [flag] if flag == "--port" => Err("--port needs a value, e.g. --port 8080".into()),
        _ => Err(format!(
            "serve takes only --port N, got {:?}\n\n{USAGE}",
            args.join(" ")
        )),
    }
}

/// `test`'s arguments: whether `--exhaustive` was given.
fn parse_test(args: &[String]) -> Result<bool, String> {
    match args {
        [] => Ok(false),
        [flag] if flag == "--exhaustive" => Ok(true),
        _ => Err(format!(
            "test takes only --exhaustive, got {:?}\n\n{USAGE}",
            args.join(" ")
        )),
    }
}

/// The repository root: this crate lives in `crates/xtask`.
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .expect("crates/xtask has two parents")
        .to_path_buf()
}

fn serve(port: u16) -> Result<(), String> {
    let ctx = Ctx::new();
    let mut steps = Steps::new();
    install::for_build(&ctx, &mut steps)?;
    steps.summary();
    println!("serving http://127.0.0.1:{port}/ (Ctrl-C stops)");
    let port = port.to_string();
    ctx.command("trunk")
        .args(["serve", "--address", "127.0.0.1", "--port", &port])
        .arg("--offline")
        .current_dir(&ctx.root)
        .status()
        .map_err(|e| format!("could not start trunk: {e}"))
        .and_then(|s| {
            if s.success() {
                Ok(())
            } else {
                Err(format!("trunk serve exited with {s}"))
            }
        })
}

fn test(exhaustive: bool) -> Result<(), String> {
    let ctx = Ctx::new();
    let mut steps = Steps::new();
    let result = test_steps(&ctx, &mut steps, exhaustive);
    steps.summary();
    match &result {
        Ok(()) => println!(
            "all tests passed; screenshots in {}",
            ctx.root.join("target/e2e-screenshots").display()
        ),
        Err(_) => println!("FAILED"),
    }
    result
}

fn test_steps(ctx: &Ctx, steps: &mut Steps, exhaustive: bool) -> Result<(), String> {
    install::for_build(ctx, steps)?;
    install::for_browser(ctx, steps)?;

    steps.cmd(
        "cargo fmt --all --check",
        ctx.cargo().args(["fmt", "--all", "--check"]),
    )?;
    steps.cmd(
        "cargo clippy (native, -D warnings)",
        ctx.cargo().args([
            "clippy",
            "--workspace",
            "--exclude",
            "farewell-web",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    steps.cmd(
        "cargo clippy (web, lab page, capture view and json crates, wasm32, -D warnings)",
        ctx.cargo().args([
            "clippy",
            "-p",
            "farewell-web",
            "-p",
            "farewell-lab-web",
            "-p",
            "farewell-capture-web",
            "-p",
            "farewell-json",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    steps.cmd(
        "cargo test (native)",
        ctx.cargo()
            .args(["test", "--workspace", "--exclude", "farewell-web"]),
    )?;
    if exhaustive {
        // The run above already checks up to two drops and a few thousand cases
        // of each property test (seconds, in debug). Again in release, with the
        // ignored three-drop test and 50x the property cases (FAREWELL_EXHAUSTIVE).
        // `write_corpus` is the hostile corpus's generator, not a check; the
        // `known_gap` tests state real-Linux behaviour not modelled yet.
        let mut all = ctx.cargo();
        all.args([
            "test",
            "--workspace",
            "--exclude",
            "farewell-web",
            "--release",
            "--",
            "--include-ignored",
            "--skip",
            "write_corpus",
            "--skip",
            "known_gap",
        ])
        .env("FAREWELL_EXHAUSTIVE", "1");
        steps.cmd(
            "exhaustive checks (three drops, 50x property cases, release)",
            &mut all,
        )?;
    }

    let tmp = run::TempDir::new("test")?;
    let webdriver = install::webdriver_json(ctx, tmp.path())?;
    steps.cmd(
        "wasm tests in headless Chromium",
        ctx.cargo()
            .args([
                "test",
                "-p",
                "farewell-web",
                "-p",
                "farewell-json",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", install::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver)
            // The app tests mount the whole playground; give a slow, shared machine time.
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180")
            // The runner finds webdriver.json and the crate relative to here.
            .current_dir(ctx.root.join("crates/web")),
    )?;

    let dist = tmp.path().join("dist");
    steps.cmd("trunk build --release", &mut ctx.trunk_build(&dist))?;
    steps.cmd(
        &format!("end-to-end tests (release build under {SUB_PATH})"),
        &mut ctx.e2e_tests(&dist),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(args: &[&str]) -> Result<u16, String> {
        parse_port(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn serve_port_defaults_to_8080_and_takes_both_spellings() {
        assert_eq!(port(&[]), Ok(8080));
        assert_eq!(port(&["--port", "9000"]), Ok(9000));
        assert_eq!(port(&["--port=9001"]), Ok(9001));
    }

    #[test]
    fn bad_serve_arguments_say_what_is_wrong() {
        assert!(port(&["--port", "0"]).unwrap_err().contains("1 to 65535"));
        assert!(port(&["--port", "70000"])
            .unwrap_err()
            .contains("\"70000\""));
        assert!(port(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(port(&["--host", "x"]).unwrap_err().contains("only --port"));
    }

    #[test]
    fn test_takes_only_exhaustive() {
        let args = |a: &[&str]| a.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_test(&args(&[])), Ok(false));
        assert_eq!(parse_test(&args(&["--exhaustive"])), Ok(true));
        assert!(parse_test(&args(&["--exhaustively"]))
            .unwrap_err()
            .contains("only --exhaustive"));
        assert!(parse_test(&args(&["--exhaustive", "x"])).is_err());
    }

    #[test]
    fn repo_root_holds_the_workspace() {
        let root = repo_root();
        assert!(root.join("Cargo.toml").is_file());
        assert!(root.join("crates/xtask/Cargo.toml").is_file());
    }
}
