//! `cargo xtask measure`: what a course page pays for the playground: gzipped
//! download size, and the time from navigation to the first diagram.

use crate::install;
use crate::run::{Ctx, Steps, TempDir};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;

/// Page loads to take the median of, unless `FAREWELL_LOADS` says otherwise.
const LOADS: u32 = 5;

pub fn measure(ctx: &Ctx) -> Result<(), String> {
    let mut steps = Steps::new();
    install::for_build(ctx, &mut steps)?;
    install::for_browser(ctx, &mut steps)?;
    let tmp = TempDir::new("measure")?;
    let dist = tmp.path().join("dist");
    steps.cmd("trunk build --release", &mut ctx.trunk_build(&dist))?;

    let sizes = sizes(&dist)?;
    let timing = steps.step("time to first diagram (headless Chromium)", || {
        let out = ctx
            .command("node")
            .arg("measure.mjs")
            .current_dir(ctx.root.join("web/e2e"))
            .env("FAREWELL_DIST", &dist)
            .env("FAREWELL_SUB_PATH", crate::SUB_PATH)
            // `FAREWELL_LOADS=20 cargo xtask measure` for a steadier median;
            // web/e2e/measure.mjs checks the value.
            .env(
                "FAREWELL_LOADS",
                std::env::var("FAREWELL_LOADS").unwrap_or_else(|_| LOADS.to_string()),
            )
            .output()
            .map_err(|e| format!("could not run node: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "web/e2e/measure.mjs failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    })?;
    steps.summary();

    println!("\nrelease build (trunk build --release), gzip -9 sizes:");
    let mut total = (0, 0);
    for kind in ["wasm", "js", "css"] {
        let (raw, gz) = sizes
            .iter()
            .filter(|s| s.0 == kind)
            .fold((0, 0), |acc, s| (acc.0 + s.1, acc.1 + s.2));
        total = (total.0 + raw, total.1 + gz);
        println!("  {kind:<5} {:>9} gzipped ({} raw)", kib(gz), kib(raw));
    }
    println!(
        "  {:<5} {:>9} gzipped ({} raw)",
        "total",
        kib(total.1),
        kib(total.0)
    );
    println!("  {}", budget_verdict(total.1));
    println!("{timing}");
    Ok(())
}

/// The playground's download budget (issue 3): wasm + JS + CSS, gzipped.
const BUDGET_BYTES: usize = 200_000;

/// One line saying how the gzipped total stands against the budget. Reported,
/// not enforced (sizes are measured and written down, like speeds).
fn budget_verdict(gzipped: usize) -> String {
    let kb = |b: usize| format!("{:.1} KB", b as f64 / 1000.0);
    if gzipped <= BUDGET_BYTES {
        format!(
            "within the {} budget by {} ({} bytes)",
            kb(BUDGET_BYTES),
            kb(BUDGET_BYTES - gzipped),
            gzipped
        )
    } else {
        format!(
            "OVER the {} budget by {} ({} bytes): see README, Measurements",
            kb(BUDGET_BYTES),
            kb(gzipped - BUDGET_BYTES),
            gzipped
        )
    }
}

/// (extension, raw bytes, gzipped bytes) of every wasm, js and css file in `dist`.
fn sizes(dist: &Path) -> Result<Vec<(&'static str, usize, usize)>, String> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    for entry in rd.filter_map(Result::ok) {
        let path = entry.path();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => "wasm",
            Some("js") => "js",
            Some("css") => "css",
            _ => continue,
        };
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        out.push((kind, bytes.len(), gzip_len(&bytes)?));
    }
    if !out.iter().any(|s| s.0 == "wasm") {
        return Err(format!("no .wasm in {}: did trunk build?", dist.display()));
    }
    Ok(out)
}

/// The size of `bytes` gzipped at the best level, as a static server would send it.
fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map(|v| v.len())
        .map_err(|e| format!("gzip: {e}"))
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_verdict_says_which_side_and_by_how_much() {
        assert_eq!(
            budget_verdict(196_500),
            "within the 200.0 KB budget by 3.5 KB (196500 bytes)"
        );
        assert_eq!(
            budget_verdict(200_000),
            "within the 200.0 KB budget by 0.0 KB (200000 bytes)"
        );
        assert!(budget_verdict(201_250).starts_with("OVER the 200.0 KB budget by 1.2 KB"));
    }

    #[test]
    fn gzip_shrinks_repetitive_bytes_and_round_trips() {
        let data = b"FIN_WAIT_2 TIME_WAIT ".repeat(500);
        let n = gzip_len(&data).unwrap();
        assert!(n > 20 && n < data.len() / 20, "{n}");
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&data).unwrap();
        let gz = enc.finish().unwrap();
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn sizes_counts_only_wasm_js_css() {
        let tmp = TempDir::new("sizes").unwrap();
        let d = tmp.path();
        std::fs::write(d.join("a_bg.wasm"), [0u8; 1000]).unwrap();
        std::fs::write(d.join("a.js"), "let x = 1;".repeat(100)).unwrap();
        std::fs::write(d.join("style.css"), "a{}").unwrap();
        std::fs::write(d.join("index.html"), "<p>").unwrap();
        let mut s = sizes(d).unwrap();
        s.sort();
        let kinds: Vec<_> = s.iter().map(|x| (x.0, x.1)).collect();
        assert_eq!(kinds, vec![("css", 3), ("js", 1000), ("wasm", 1000)]);
        assert!(s.iter().all(|x| x.2 > 0));
        std::fs::remove_file(d.join("a_bg.wasm")).unwrap();
        assert!(sizes(d).unwrap_err().contains("no .wasm"));
    }

    #[test]
    fn kib_formats_one_decimal() {
        assert_eq!(kib(1536), "1.5 KiB");
    }
}
