//! The parts of the lab page that only show what a run says, as HTML markup
//! (text escaped): the numbers at a glance, the findings, the connections to
//! open, and a minute of the per-second table. The page puts them in place
//! as they are (`farewell-lab-web`), as it does the chart; the controls
//! around them stay the page's own.

use crate::drill::DrillDown;
use crate::format::thousands;
use crate::report::{findings, stats};
use farewell_diagram::escape;
use farewell_lab::{LabConfig, LabRun, Row};
use std::fmt::Write;

/// The numbers at a glance: `<div><dt>…</dt><dd>…</dd><dd class="detail">…</dd></div>`
/// for each, inside the page's `<dl>`.
pub fn stats_html(cfg: &LabConfig, run: &LabRun) -> String {
    let mut o = String::new();
    for s in stats(cfg, run) {
        let _ = write!(
            o,
            r#"<div><dt>{}</dt><dd>{}</dd><dd class="detail">{}</dd></div>"#,
            escape(s.label),
            escape(&s.value),
            escape(&s.detail)
        );
    }
    o
}

/// The findings as list items: a mark (not colour alone), the word a screen
/// reader hears for it, and the text.
pub fn findings_html(cfg: &LabConfig, run: &LabRun) -> String {
    let mut o = String::new();
    for f in findings(cfg, run) {
        let _ = write!(
            o,
            r#"<li class="finding {}"><span class="finding-mark" aria-hidden="true">{}</span><span class="visually-hidden">{}: </span>{}</li>"#,
            f.tone.id(),
            escape(f.tone.mark()),
            f.tone.word(),
            escape(&f.text)
        );
    }
    o
}

/// The connections to open in the main view, as list items with links.
pub fn drills_html(drills: &[DrillDown]) -> String {
    let mut o = String::new();
    for d in drills {
        let _ = write!(
            o,
            r#"<li><a href="{}">{}</a><p class="detail">{}</p></li>"#,
            escape(&d.href),
            escape(&d.label),
            escape(&d.text)
        );
    }
    o
}

/// The per-second table of `rows` (a whole `<table>`: markup put in place
/// as it is cannot hold table rows alone).
pub fn rows_html(rows: &[Row]) -> String {
    let mut o = String::with_capacity(600 + rows.len() * 160);
    o.push_str("<table><thead><tr>");
    for h in [
        "second",
        "established",
        "TIME_WAIT client",
        "TIME_WAIT server",
        "ports in use",
        "connects",
        "failures",
        "reused",
        "overflow",
    ] {
        let _ = write!(o, r#"<th scope="col">{h}</th>"#);
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        let _ = write!(o, r#"<tr><th scope="row">{}</th>"#, r.t_s);
        for v in r.counts() {
            let _ = write!(o, "<td>{}</td>", thousands(v));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::drill_downs;
    use farewell_lab::run;

    fn parse(wrapper: &str, inner: &str) -> String {
        let doc = format!("<{wrapper}>{inner}</{wrapper}>");
        roxmltree::Document::parse(&doc).unwrap_or_else(|e| panic!("{e}: {doc}"));
        doc
    }

    #[test]
    fn the_markup_is_well_formed_and_says_what_the_report_says() {
        let cfg = LabConfig::default();
        let r = run(&cfg).unwrap();
        let s = parse("dl", &stats_html(&cfg, &r));
        assert!(
            s.contains(
                "<dt>client ports in use</dt><dd>28,232</dd><dd class=\"detail\">of 28,232</dd>"
            ),
            "{s}"
        );
        let f = parse("ul", &findings_html(&cfg, &r));
        assert_eq!(
            f.matches("<li class=\"finding ").count(),
            findings(&cfg, &r).len()
        );
        assert!(f.contains(
            "<span class=\"visually-hidden\">Problem: </span>The client ran out of ports"
        ));
        let d = parse("ul", &drills_html(&drill_downs(&cfg, &r, 3)));
        // `&` in a link is escaped in the attribute.
        assert!(
            d.contains("href=\"index.html#c=j") && d.contains("&amp;p=linux"),
            "{d}"
        );
        let t = parse("div", &rows_html(&r.rows[27..29]));
        assert_eq!(t.matches("<tr>").count(), 3, "the head and two rows");
        assert!(
            t.contains(r#"<th scope="col">TIME_WAIT client</th>"#),
            "{t}"
        );
        assert!(
            t.contains(r#"<tbody><tr><th scope="row">27</th><td>"#),
            "{t}"
        );
    }

    #[test]
    fn text_is_escaped() {
        let d = DrillDown {
            label: "<b>&".into(),
            text: "\"x\"".into(),
            href: "a\"b".into(),
        };
        let html = drills_html(&[d]);
        assert!(
            !html.contains("<b>") && html.contains("&lt;b&gt;&amp;"),
            "{html}"
        );
        parse("ul", &html);
    }
}
