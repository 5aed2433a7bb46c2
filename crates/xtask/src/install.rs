//! Installing what is missing, pinned and idempotent: each tool is asked for its
//! version first and only installed when absent or at another version.

use crate::run::{output, Ctx, Steps};
use std::path::{Path, PathBuf};

/// trunk, the wasm bundler (`cargo install trunk --version … --locked`).
pub const TRUNK_VERSION: &str = "0.21.14";
/// binaryen's wasm-opt from npm; Trunk.toml asks for `version_132`.
pub const BINARYEN_NPM: &str = "binaryen@132.0.0";
const BINARYEN_VERSION_LINE: &str = "version 132 ";
/// terser, which minifies wasm-bindgen's JavaScript after a release build
/// (web/minify-js.mjs, trunk's post_build hook): trunk 0.21's own minifier
/// fails on it (trunk-rs/trunk#1044) and leaves it as written.
pub const TERSER_NPM: &str = "terser@5.51.4";
const TERSER_VERSION_LINE: &str = "terser 5.51.4 ";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The flags headless Chromium needs when run as root in a container, without
/// any traffic of its own (updates, sync, QUIC probes).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// `$CARGO_HOME/bin`, where `cargo install` puts trunk and wasm-bindgen.
pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"))
        .join("bin")
}

/// Where npm tools (binaryen) are installed: `$FAREWELL_TOOLS` or `~/.farewell-tools`.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("FAREWELL_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".farewell-tools"))
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

/// What `trunk build` / `trunk serve` need: the wasm target, trunk, wasm-bindgen
/// at Cargo.lock's version and wasm-opt.
pub fn for_build(ctx: &Ctx, steps: &mut Steps) -> Result<(), String> {
    wasm_target(ctx, steps)?;
    need_node(ctx)?;
    trunk(ctx, steps)?;
    wasm_bindgen(ctx, steps)?;
    npm_tool(ctx, steps, BINARYEN_NPM, "wasm-opt", BINARYEN_VERSION_LINE)?;
    npm_tool(ctx, steps, TERSER_NPM, "terser", TERSER_VERSION_LINE)
}

/// What the browser tests need: Chromium, chromedriver, tcpdump, and the e2e
/// harness' npm packages.
pub fn for_browser(ctx: &Ctx, steps: &mut Steps) -> Result<(), String> {
    apt_packages(ctx, steps)?;
    e2e_packages(ctx, steps)
}

fn wasm_target(ctx: &Ctx, steps: &mut Steps) -> Result<(), String> {
    let installed = output(
        ctx.command("rustup")
            .args(["target", "list", "--installed"]),
    )
    .ok_or("rustup not found: install Rust with rustup (https://rustup.rs), then run this again")?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        steps.skipped("rustup target wasm32-unknown-unknown", "installed");
        return Ok(());
    }
    steps.cmd(
        "rustup target add wasm32-unknown-unknown",
        ctx.command("rustup").args(["target", "add", WASM_TARGET]),
    )
}

fn need_node(ctx: &Ctx) -> Result<(), String> {
    const MISSING: &str = "Node.js 20 or newer with npm is needed (https://nodejs.org or your package manager), then run this again";
    let v = output(ctx.command("node").arg("--version")).ok_or(MISSING)?;
    let major: u32 = v
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(format!("node {v} is too old: {MISSING}"));
    }
    output(ctx.command("npm").arg("--version")).ok_or(MISSING)?;
    Ok(())
}

fn trunk(ctx: &Ctx, steps: &mut Steps) -> Result<(), String> {
    let want = format!("trunk {TRUNK_VERSION}");
    if output(ctx.command("trunk").arg("--version")).as_deref() == Some(want.as_str()) {
        steps.skipped(&format!("trunk {TRUNK_VERSION}"), "installed");
        return Ok(());
    }
    steps.cmd(
        &format!("cargo install trunk {TRUNK_VERSION} (takes minutes)"),
        ctx.cargo()
            .args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]),
    )
}

/// wasm-bindgen's CLI must match the library exactly (the generated glue and the
/// wasm's schema are versioned together), so the version comes from Cargo.lock,
/// and Trunk.toml must name the same one.
fn wasm_bindgen(ctx: &Ctx, steps: &mut Steps) -> Result<(), String> {
    let lock = read(&ctx.root.join("Cargo.lock"))?;
    let version = lock_version(&lock, "wasm-bindgen")?;
    let trunk_toml = read(&ctx.root.join("Trunk.toml"))?;
    match toml_string(&trunk_toml, "tools", "wasm_bindgen") {
        Some(v) if v == version => {}
        Some(v) => {
            return Err(format!(
                "Trunk.toml [tools] wasm_bindgen = \"{v}\" but Cargo.lock has wasm-bindgen {version}: set them equal"
            ))
        }
        None => {
            return Err(format!(
                "Trunk.toml has no [tools] wasm_bindgen: add wasm_bindgen = \"{version}\" (Cargo.lock's wasm-bindgen)"
            ))
        }
    }
    let have = |bin: &str| output(ctx.command(bin).arg("--version"));
    if have("wasm-bindgen") == Some(format!("wasm-bindgen {version}"))
        && have("wasm-bindgen-test-runner") == Some(format!("wasm-bindgen-test-runner {version}"))
    {
        steps.skipped(&format!("wasm-bindgen-cli {version}"), "installed");
        return Ok(());
    }
    // Not --locked: the CLI's own lock file pins dependencies that no longer build
    // with current compilers for some releases.
    steps.cmd(
        &format!("cargo install wasm-bindgen-cli {version} (takes minutes)"),
        ctx.cargo().args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--force",
        ]),
    )
}

/// An npm package pinned at `package` (`name@version`) in the tools directory,
/// installed unless its `bin` already prints `version_line`.
fn npm_tool(
    ctx: &Ctx,
    steps: &mut Steps,
    package: &str,
    bin: &str,
    version_line: &str,
) -> Result<(), String> {
    let dir = tools_dir();
    let exe = dir.join("node_modules/.bin").join(bin);
    let ok = |v: Option<String>| v.is_some_and(|v| format!("{v} ").contains(version_line));
    let version = || output(ctx.command(&exe.to_string_lossy()).arg("--version"));
    if ok(version()) {
        steps.skipped(&format!("npm {package} ({bin})"), "installed");
        return Ok(());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    steps.cmd(
        &format!("npm install {package} into {}", dir.display()),
        ctx.command("npm")
            .args([
                "install",
                "--prefer-offline",
                "--no-audit",
                "--no-fund",
                "--save-exact",
                "--prefix",
            ])
            .arg(&dir)
            .arg(package),
    )?;
    if ok(version()) {
        Ok(())
    } else {
        Err(format!(
            "{} does not report {version_line:?} after installing {package}",
            exe.display()
        ))
    }
}

fn apt_packages(ctx: &Ctx, steps: &mut Steps) -> Result<(), String> {
    let tcpdump = output(
        ctx.command("sh")
            .args(["-c", "command -v tcpdump || ls /usr/sbin/tcpdump"]),
    )
    .is_some();
    let missing: Vec<&str> = [
        ("chromium", Path::new(CHROMIUM).exists()),
        ("chromium-driver", Path::new(CHROMEDRIVER).exists()),
        ("tcpdump", tcpdump),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(p, _)| p)
    .collect();
    if missing.is_empty() {
        steps.skipped("apt chromium chromium-driver tcpdump", "installed");
        return Ok(());
    }
    let list = missing.join(" ");
    let root = output(ctx.command("id").arg("-u")).as_deref() == Some("0");
    if !root {
        return Err(format!(
            "missing {list}: run `sudo apt-get install -y {list}` (Debian/Ubuntu), then run this again"
        ));
    }
    steps.step(&format!("apt-get install {list}"), || {
        let install = |ctx: &Ctx| {
            ctx.command("apt-get")
                .args(["install", "-y", "--no-install-recommends"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .is_ok_and(|s| s.success())
        };
        if install(ctx) {
            return Ok(());
        }
        // The package lists may be stale or absent (fresh containers): refresh once.
        let updated = ctx
            .command("apt-get")
            .arg("update")
            .status()
            .is_ok_and(|s| s.success());
        if updated && install(ctx) {
            Ok(())
        } else {
            Err(format!(
                "apt-get could not install {list}: install them by hand, then run this again"
            ))
        }
    })
}

/// `npm ci` in web/e2e unless node_modules already holds every package of
/// package-lock.json at its locked version (so a new or bumped dependency, such
/// as axe-core, is installed on the next run). Playwright never downloads a
/// browser here: the tests use Debian's Chromium.
fn e2e_packages(ctx: &Ctx, steps: &mut Steps) -> Result<(), String> {
    let e2e = ctx.root.join("web/e2e");
    let lock = read(&e2e.join("package-lock.json"))?;
    let want = json_version(&lock, "node_modules/playwright-core")
        .ok_or("web/e2e/package-lock.json does not lock playwright-core")?;
    let installed = |path: &str| {
        std::fs::read_to_string(e2e.join(path).join("package.json"))
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v["version"].as_str().map(str::to_string))
    };
    let stale = locked_packages(&lock)
        .into_iter()
        .filter(|(path, version)| installed(path).as_deref() != Some(version.as_str()))
        .count();
    if stale == 0 {
        steps.skipped(
            &format!("npm ci in web/e2e (playwright-core {want})"),
            "installed",
        );
        return Ok(());
    }
    steps.cmd(
        &format!(
            "npm ci in web/e2e (playwright-core {want}, {stale} package(s) missing or changed)"
        ),
        ctx.command("npm")
            .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
            .current_dir(&e2e)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
}

/// crates/web/webdriver.json, checked for the flags headless Chromium needs here,
/// and written to `tmp` with a fresh `--user-data-dir`, so no profile (cookies,
/// local storage, a crashed session's lock) carries over between runs.
pub fn webdriver_json(ctx: &Ctx, tmp: &Path) -> Result<PathBuf, String> {
    let src = ctx.root.join("crates/web/webdriver.json");
    let text = read(&src)?;
    let mut json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", src.display()))?;
    let args = json
        .pointer_mut("/goog:chromeOptions/args")
        .and_then(|a| a.as_array_mut())
        .ok_or_else(|| format!("{}: no goog:chromeOptions.args list", src.display()))?;
    let has = |args: &Vec<serde_json::Value>, flag: &str| {
        args.iter()
            .filter_map(|a| a.as_str())
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let missing: Vec<&str> = CHROMIUM_FLAGS
        .iter()
        .copied()
        .filter(|f| !has(args, f))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{}: goog:chromeOptions.args lacks {}",
            src.display(),
            missing.join(" ")
        ));
    }
    let profile = tmp.join("chromium-profile");
    args.retain(|a| !a.as_str().is_some_and(|a| a.starts_with("--user-data-dir")));
    args.push(format!("--user-data-dir={}", profile.display()).into());
    let out = tmp.join("webdriver.json");
    std::fs::write(&out, json.to_string())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(out)
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

/// The one version of `name` in a Cargo.lock.
pub fn lock_version(lock: &str, name: &str) -> Result<String, String> {
    let header = format!("name = \"{name}\"");
    let mut versions: Vec<String> = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == header {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                versions.push(v.trim_matches('"').to_string());
            }
        }
    }
    match versions.as_slice() {
        [v] => Ok(v.clone()),
        [] => Err(format!("Cargo.lock has no {name} package")),
        vs => Err(format!(
            "Cargo.lock has several {name} versions ({}): the CLI can match only one",
            vs.join(", ")
        )),
    }
}

/// A string value `key = "…"` in table `[table]` of a small TOML file.
pub fn toml_string(text: &str, table: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(t) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = t.trim().to_string();
        } else if current == table {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key {
                    return Some(v.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

/// `packages[package].version` from an npm package-lock.json.
fn json_version(lock: &str, package: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(lock).ok()?;
    v["packages"][package]["version"]
        .as_str()
        .map(str::to_string)
}

/// Every installed package of an npm package-lock.json (its `node_modules/…`
/// path and locked version).
fn locked_packages(lock: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(lock).unwrap_or_default();
    let Some(packages) = v["packages"].as_object() else {
        return Vec::new();
    };
    packages
        .iter()
        .filter(|(path, _)| path.starts_with("node_modules/"))
        .filter_map(|(path, p)| Some((path.clone(), p["version"].as_str()?.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"
"#;

    #[test]
    fn lock_version_finds_exactly_that_package() {
        assert_eq!(lock_version(LOCK, "wasm-bindgen").unwrap(), "0.2.130");
        assert_eq!(
            lock_version(LOCK, "wasm-bindgen-backend").unwrap(),
            "0.2.99"
        );
        assert!(lock_version(LOCK, "yew").unwrap_err().contains("no yew"));
        let twice =
            format!("{LOCK}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.100\"\n");
        assert!(lock_version(&twice, "wasm-bindgen")
            .unwrap_err()
            .contains("0.2.130, 0.2.100"));
    }

    #[test]
    fn toml_string_reads_only_the_named_table() {
        let t = "[build]\nwasm_bindgen = \"no\"\n# c\n[tools]\n# comment\nwasm_bindgen = \"0.2.130\" # pinned\nwasm_opt = \"version_132\"\n";
        assert_eq!(
            toml_string(t, "tools", "wasm_bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            toml_string(t, "tools", "wasm_opt").as_deref(),
            Some("version_132")
        );
        assert_eq!(
            toml_string(t, "build", "wasm_bindgen").as_deref(),
            Some("no")
        );
        assert_eq!(toml_string(t, "tools", "sass"), None);
    }

    #[test]
    fn the_repository_pins_agree() {
        let root = crate::repo_root();
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        let trunk = std::fs::read_to_string(root.join("Trunk.toml")).unwrap();
        assert_eq!(
            toml_string(&trunk, "tools", "wasm_bindgen").unwrap(),
            lock_version(&lock, "wasm-bindgen").unwrap()
        );
        assert_eq!(
            toml_string(&trunk, "tools", "wasm_opt").unwrap(),
            "version_132"
        );
    }

    #[test]
    fn package_lock_version() {
        let l = r#"{"packages":{"":{},"node_modules/playwright-core":{"version":"1.65.1"}}}"#;
        assert_eq!(
            json_version(l, "node_modules/playwright-core").as_deref(),
            Some("1.65.1")
        );
        assert_eq!(json_version(l, "node_modules/x"), None);
        assert_eq!(json_version("not json", "node_modules/x"), None);
        let l = r#"{"packages":{"":{"version":"0"},"node_modules/axe-core":{"version":"4.14.1"},"node_modules/playwright-core":{"version":"1.65.1"}}}"#;
        assert_eq!(
            locked_packages(l),
            [
                ("node_modules/axe-core".to_string(), "4.14.1".to_string()),
                (
                    "node_modules/playwright-core".to_string(),
                    "1.65.1".to_string()
                ),
            ]
        );
        assert!(locked_packages("not json").is_empty());
    }

    #[test]
    fn webdriver_json_gets_a_fresh_profile_and_needs_the_flags() {
        let tmp = crate::run::TempDir::new("unit").unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("crates/web")).unwrap();
        let ctx = Ctx {
            root: root.clone(),
            path: Default::default(),
        };
        let mut args: Vec<&str> = CHROMIUM_FLAGS.to_vec();
        args.push("--user-data-dir=/old");
        let cfg = serde_json::json!({"goog:chromeOptions": {"binary": CHROMIUM, "args": args}});
        std::fs::write(root.join("crates/web/webdriver.json"), cfg.to_string()).unwrap();
        let out = webdriver_json(&ctx, tmp.path()).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        let written: Vec<&str> = v["goog:chromeOptions"]["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let profiles: Vec<&&str> = written
            .iter()
            .filter(|a| a.starts_with("--user-data-dir="))
            .collect();
        assert_eq!(profiles.len(), 1);
        assert!(profiles[0].contains(&tmp.path().display().to_string()));

        let cfg = serde_json::json!({"goog:chromeOptions": {"args": ["--headless"]}});
        std::fs::write(root.join("crates/web/webdriver.json"), cfg.to_string()).unwrap();
        let err = webdriver_json(&ctx, tmp.path()).unwrap_err();
        assert!(
            err.contains("--no-sandbox") && !err.contains("--headless "),
            "{err}"
        );
    }
}
