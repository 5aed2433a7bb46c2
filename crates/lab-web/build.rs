//! The lab's stylesheets, minified into OUT_DIR/lab.css (`src/css.rs`): they
//! travel as text inside the wasm, where trunk's CSS minifier never sees them.
//! Of the playground's stylesheet only the rules for classes the lab's
//! markup can use are kept: those named anywhere in the sources that write
//! it (this crate, farewell-lab-view, the playground's shared header).

#[path = "src/css.rs"]
mod css;

fn main() {
    let files = [
        "../diagram/src/palette.css",
        "../../web/style.css",
        "../lab-view/src/chart.css",
        "src/lab.css",
    ];
    let read = |f: &str| {
        println!("cargo:rerun-if-changed={f}");
        std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"))
    };
    // Every word of the markup's sources: a class named nowhere in them
    // cannot be on the lab's page.
    let mut sources = read("../web/src/components/header.rs");
    for dir in ["src", "../lab-view/src"] {
        println!("cargo:rerun-if-changed={dir}");
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        names.sort();
        for p in names {
            sources.push_str(&read(&p.to_string_lossy()));
        }
    }
    let words: std::collections::BTreeSet<&str> = sources
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .collect();
    let mut all = String::new();
    for f in files {
        let css = css::minify(&read(f));
        if f.ends_with("web/style.css") {
            all.push_str(&css::used(&css, &|c| words.contains(c)));
        } else {
            all.push_str(&css);
        }
    }
    let all = css::without_unread_properties(&all, &sources);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("lab.css"), all).expect("OUT_DIR is writable");
}
