//! Running commands as named, timed steps, with the tools on PATH.

use crate::install;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where things are: the repository, and the PATH the tools are found on.
pub struct Ctx {
    pub root: PathBuf,
    /// PATH with cargo's bin directory and the npm tools directory in front, so
    /// trunk finds wasm-bindgen and wasm-opt at the pinned versions.
    pub path: OsString,
}

impl Ctx {
    pub fn new() -> Ctx {
        let mut dirs = vec![
            install::cargo_bin(),
            install::tools_dir().join("node_modules/.bin"),
        ];
        if let Some(p) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&p));
        }
        let path = std::env::join_paths(dirs)
            .unwrap_or_else(|_| std::env::var_os("PATH").unwrap_or_default());
        Ctx {
            root: crate::repo_root(),
            path,
        }
    }

    /// A command run from the repository root with the tools' PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("PATH", &self.path).current_dir(&self.root);
        c
    }

    /// The cargo that runs us (`$CARGO`), so a toolchain override is honoured.
    pub fn cargo(&self) -> Command {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut c = Command::new(cargo);
        c.env("PATH", &self.path).current_dir(&self.root);
        c
    }

    /// `trunk build --release` of index.html into `dist`, offline: every tool was
    /// installed beforehand, so a missing one is an error, not a download.
    pub fn trunk_build(&self, dist: &Path) -> Command {
        let mut c = self.command("trunk");
        c.args(["build", "--release", "--offline", "--dist"])
            .arg(dist);
        c
    }

    /// The end-to-end tests in web/e2e against the build in `dist`.
    pub fn e2e_tests(&self, dist: &Path) -> Command {
        let e2e = self.root.join("web/e2e");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&e2e)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let mut c = self.command("node");
        // One browser at a time: the machine is small and the tests measure nothing.
        c.args(["--test", "--test-concurrency=1", "--test-timeout=300000"])
            .args(files)
            .current_dir(&e2e)
            .env("FAREWELL_DIST", dist)
            .env("FAREWELL_SUB_PATH", crate::SUB_PATH)
            .env(
                "FAREWELL_SCREENSHOTS",
                self.root.join("target/e2e-screenshots"),
            );
        c
    }
}

/// The steps run so far, each with its duration, for the closing summary.
pub struct Steps {
    done: Vec<(String, Duration, &'static str)>,
}

impl Steps {
    pub fn new() -> Steps {
        Steps { done: Vec::new() }
    }

    /// Runs a command as a step; a non-zero exit stops everything.
    pub fn cmd(&mut self, name: &str, cmd: &mut Command) -> Result<(), String> {
        self.step(name, || {
            let status = cmd
                .status()
                .map_err(|e| format!("could not run {:?}: {e}", cmd.get_program()))?;
            if status.success() {
                Ok(())
            } else {
                Err(format!("{name}: failed ({status})"))
            }
        })
    }

    /// Runs a closure as a named, timed step.
    pub fn step<T>(
        &mut self,
        name: &str,
        f: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("==> {name}");
        let start = Instant::now();
        let result = f();
        let took = start.elapsed();
        let mark = if result.is_ok() { "ok" } else { "FAILED" };
        println!("<== {mark}: {name} ({})", secs(took));
        self.done.push((name.to_string(), took, mark));
        result
    }

    /// Records an install check that found the tool already there.
    pub fn skipped(&mut self, name: &str, why: &str) {
        println!("--- {name}: {why}");
        self.done
            .push((format!("{name}: {why}"), Duration::ZERO, "skip"));
    }

    pub fn summary(&self) {
        println!("\nsummary:");
        for (name, took, mark) in &self.done {
            if *mark == "skip" {
                println!("  {mark:>6}  {:>8}  {name}", "");
            } else {
                println!("  {mark:>6}  {:>8}  {name}", secs(*took));
            }
        }
        let total: Duration = self.done.iter().map(|d| d.1).sum();
        println!("  {:>6}  {:>8}", "total", secs(total));
    }
}

pub fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Runs a command quietly and returns its trimmed stdout, or None when it cannot
/// run or fails (used to ask a tool for its version).
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(what: &str) -> Result<TempDir, String> {
        let dir = std::env::temp_dir().join(format!(
            "farewell-xtask-{what}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
