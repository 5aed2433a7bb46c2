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

    println!("\nrelease build (trunk build --release), gzip -9 sizes of what each page loads:");
    println!("the playground's first load (index.html):");
    let first = loaded_by(&dist, "index.html", &sizes)?;
    let total = print_kinds(&first);
    println!("  {}", budget_verdict(total, BUDGET_BYTES));
    // The lab's Web Worker runs the same module, so this is all its code.
    let lab = loaded_by(&dist, "lab.html", &sizes)?;
    println!("the TIME_WAIT lab (lab.html, loaded only when opened; not in the first load):");
    println!("  {}", budget_verdict(print_kinds(&lab), LAB_BUDGET_BYTES));
    // No page refers to it: the playground import()s it for a dropped capture
    // (the loader, the module, and its worker's script).
    let capture: Vec<&Size> = sizes
        .iter()
        .filter(|s| s.name.starts_with("farewell-capture"))
        .collect();
    println!(
        "the capture view (farewell-capture-web and its loader and worker scripts, loaded only when a capture is dropped or picked):"
    );
    print_kinds(&capture);
    println!("{timing}");
    Ok(())
}

/// Prints the wasm, js and css totals of `files` and returns the gzipped total.
fn print_kinds(files: &[&Size]) -> usize {
    let mut total = (0, 0);
    for kind in ["wasm", "js", "css"] {
        let (raw, gz) = files
            .iter()
            .filter(|s| s.kind == kind)
            .fold((0, 0), |acc, s| (acc.0 + s.raw, acc.1 + s.gzipped));
        total = (total.0 + raw, total.1 + gz);
        println!("  {kind:<5} {:>9} gzipped ({} raw)", kib(gz), kib(raw));
    }
    println!(
        "  {:<5} {:>9} gzipped ({} raw)",
        "total",
        kib(total.1),
        kib(total.0)
    );
    total.1
}

/// The files of `sizes` that the page `html` (in `dist`) refers to as
/// `./NAME`: its scripts, stylesheets, preloads and the wasm its script
/// starts, and what those scripts import as `./NAME` in turn (wasm-bindgen's
/// glue imports its JavaScript snippets, `./snippets/…`). A file no page
/// refers to is loaded by none.
fn loaded_by<'a>(dist: &Path, html: &str, sizes: &'a [Size]) -> Result<Vec<&'a Size>, String> {
    let path = dist.join(html);
    let mut texts = vec![std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?];
    let mut found: Vec<&Size> = Vec::new();
    loop {
        let new: Vec<&Size> = sizes
            .iter()
            .filter(|s| !found.iter().any(|f| f.name == s.name))
            .filter(|s| texts.iter().any(|t| t.contains(&format!("./{}", s.name))))
            .collect();
        if new.is_empty() {
            return Ok(found);
        }
        for s in &new {
            if s.kind == "js" {
                let p = dist.join(&s.name);
                texts.push(
                    std::fs::read_to_string(&p)
                        .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
                );
            }
        }
        found.extend(new);
    }
}

/// The playground's download budget (issue 3): wasm + JS + CSS, gzipped.
const BUDGET_BYTES: usize = 200_000;

/// The lab's own budget (issue 11): what lab.html loads, gzipped.
const LAB_BUDGET_BYTES: usize = 150_000;

/// One line saying how the gzipped total stands against `budget`. Reported,
/// not enforced (sizes are measured and written down, like speeds).
fn budget_verdict(gzipped: usize, budget: usize) -> String {
    let kb = |b: usize| format!("{:.1} KB", b as f64 / 1000.0);
    if gzipped <= budget {
        format!(
            "within the {} budget by {} ({} bytes)",
            kb(budget),
            kb(budget - gzipped),
            gzipped
        )
    } else {
        format!(
            "OVER the {} budget by {} ({} bytes): see README, Measurements",
            kb(budget),
            kb(gzipped - budget),
            gzipped
        )
    }
}

/// A built file's kind (extension), name and sizes.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Size {
    kind: &'static str,
    name: String,
    raw: usize,
    gzipped: usize,
}

/// Every wasm, js (`.js`, `.mjs`) and css file in `dist` and its
/// subdirectories (wasm-bindgen's `snippets/`), named by its path from
/// `dist` with `/`.
fn sizes(dist: &Path) -> Result<Vec<Size>, String> {
    let mut out = Vec::new();
    let mut dirs = vec![(dist.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = dirs.pop() {
        let rd =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in rd.filter_map(Result::ok) {
            let path = entry.path();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if path.is_dir() {
                dirs.push((path, format!("{name}/")));
                continue;
            }
            let kind = match path.extension().and_then(|e| e.to_str()) {
                Some("wasm") => "wasm",
                Some("js" | "mjs") => "js",
                Some("css") => "css",
                _ => continue,
            };
            let bytes =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            out.push(Size {
                kind,
                name,
                raw: bytes.len(),
                gzipped: gzip_len(&bytes)?,
            });
        }
    }
    if !out.iter().any(|s| s.kind == "wasm") {
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
            budget_verdict(196_500, BUDGET_BYTES),
            "within the 200.0 KB budget by 3.5 KB (196500 bytes)"
        );
        assert_eq!(
            budget_verdict(200_000, BUDGET_BYTES),
            "within the 200.0 KB budget by 0.0 KB (200000 bytes)"
        );
        assert!(
            budget_verdict(201_250, BUDGET_BYTES).starts_with("OVER the 200.0 KB budget by 1.2 KB")
        );
        assert_eq!(
            budget_verdict(150_220, LAB_BUDGET_BYTES),
            "OVER the 150.0 KB budget by 0.2 KB (150220 bytes): see README, Measurements"
        );
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
        std::fs::create_dir_all(d.join("snippets/a-1")).unwrap();
        std::fs::write(d.join("snippets/a-1/inline0.js"), "f()").unwrap();
        std::fs::write(d.join("load.mjs"), "g()").unwrap();
        let mut s = sizes(d).unwrap();
        s.sort();
        let kinds: Vec<_> = s.iter().map(|x| (x.kind, x.name.as_str(), x.raw)).collect();
        assert_eq!(
            kinds,
            vec![
                ("css", "style.css", 3),
                ("js", "a.js", 1000),
                ("js", "load.mjs", 3),
                ("js", "snippets/a-1/inline0.js", 3),
                ("wasm", "a_bg.wasm", 1000)
            ]
        );
        assert!(s.iter().all(|x| x.gzipped > 0));
        std::fs::remove_file(d.join("a_bg.wasm")).unwrap();
        assert!(sizes(d).unwrap_err().contains("no .wasm"));
    }

    #[test]
    fn a_page_counts_only_the_files_it_refers_to() {
        let tmp = TempDir::new("loaded-by").unwrap();
        let d = tmp.path();
        for f in [
            "app-1_bg.wasm",
            "style-2.css",
            "lab.js",
            "lab_bg.wasm",
            "view.mjs",
        ] {
            std::fs::write(d.join(f), f.repeat(50)).unwrap();
        }
        // The glue imports a snippet, which imports another file only when
        // it is used (not `./`: not in the first load).
        std::fs::write(
            d.join("app-1.js"),
            "import {x} from './snippets/app-1/capture.js';",
        )
        .unwrap();
        std::fs::create_dir_all(d.join("snippets/app-1")).unwrap();
        std::fs::write(
            d.join("snippets/app-1/capture.js"),
            "export const x=()=>import(new URL('view.mjs',document.baseURI));",
        )
        .unwrap();
        std::fs::write(
            d.join("index.html"),
            r#"<script type=module>import init from './app-1.js'; init({ module_or_path: './app-1_bg.wasm' })</script><link href=./style-2.css rel=stylesheet><a href="lab.html">lab</a>"#,
        )
        .unwrap();
        std::fs::write(d.join("lab.html"), r#"<script type=module>import init from './lab.js'</script><link rel=preload href="./lab_bg.wasm">"#).unwrap();
        let all = sizes(d).unwrap();
        let names = |page| {
            let mut v: Vec<_> = loaded_by(d, page, &all)
                .unwrap()
                .iter()
                .map(|s| s.name.clone())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            names("index.html"),
            [
                "app-1.js",
                "app-1_bg.wasm",
                "snippets/app-1/capture.js",
                "style-2.css"
            ]
        );
        assert_eq!(names("lab.html"), ["lab.js", "lab_bg.wasm"]);
        assert!(loaded_by(d, "none.html", &all)
            .unwrap_err()
            .contains("cannot read"));
    }

    #[test]
    fn kib_formats_one_decimal() {
        assert_eq!(kib(1536), "1.5 KiB");
    }
}
