//! A lab link as a whole: the knobs ([`crate::knobs`]) and how the page is
//! shown, embedded in a course page or not, with the playground's names for
//! it (`embed=1`, `controls=full|minimal|none`; README "Embedding in a course
//! page"), so `lab.html#rate=5000&embed=1&controls=minimal` is the lab's
//! share link with the playground's embed parameters.
//!
//! What an embedded lab shows, for a course page that supplies its own
//! heading and text: no header, no knob form, no command line, no per-second
//! table, no drill-down list (the form and the tables are the lab's own
//! work, the links would take the iframe away from the course); it runs the
//! link's lab on open, with its progress, and shows the chart with its
//! readout (a click on it opens that second's connection in a new tab), the
//! numbers at a glance and the findings, then the remedies table, which is
//! the lab's lesson ("what would fix it"): `controls=full` (the default)
//! keeps its *Try it* buttons (a remedy rerun in place), `minimal` shows the
//! table without them (a fixed lab whose numbers the course discusses),
//! `none` leaves the remedies out (the chart and the findings alone; the
//! worker does not run them). The page marks an embed with
//! [`View::attribute`] and its stylesheet hides the rest (the lab's module
//! is held to a size budget: CSS costs it less than markup code).

use crate::knobs::{from_fragment, to_fragment, KnobError, MAX_FRAGMENT_BYTES};
use farewell_lab::LabConfig;
pub use farewell_share::Controls;

/// How the lab page is shown (the link's `embed` and `controls`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// `embed=1`: the chrome-less view for an iframe.
    pub embed: bool,
    /// With `embed=1`: which controls it keeps (ignored without).
    pub controls: Controls,
}

impl View {
    /// The value of the page's `data-embed` attribute, for an embed: the
    /// controls' name, from which the lab's stylesheet hides what an embed
    /// does not show (`crates/lab-web/src/lab.css`). `None`: the whole lab.
    pub fn attribute(self) -> Option<&'static str> {
        self.embed.then_some(self.controls.id())
    }

    /// Whether the remedies are shown, and so run by the worker.
    pub fn remedies(self) -> bool {
        !self.embed || self.controls != Controls::None
    }
}

/// What a lab link says: how to show the page, and the lab to run (or why
/// the link could not be used, when the lab runs its defaults). A bad
/// `embed` or `controls` is an error like a bad knob's, and keeps its
/// default (`embed=1&controls=all` is embedded, with every control).
#[derive(Clone, Debug, PartialEq)]
pub struct LabLink {
    pub view: View,
    pub config: Result<LabConfig, KnobError>,
}

/// Reads a whole lab link's fragment (with or without its `#`):
/// [`from_fragment`] checks it all, `embed` and `controls` included (each
/// once, anywhere among the knobs, a known value); the view is what their
/// known values say. A link over [`MAX_FRAGMENT_BYTES`] is refused unread,
/// its view included.
pub fn read_link(fragment: &str) -> LabLink {
    let config = from_fragment(fragment);
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let mut view = View::default();
    for pair in fragment
        .split('&')
        .filter(|_| fragment.len() <= MAX_FRAGMENT_BYTES)
    {
        match pair {
            "embed=1" => view.embed = true,
            "controls=full" => view.controls = Controls::Full,
            "controls=minimal" => view.controls = Controls::Minimal,
            "controls=none" => view.controls = Controls::None,
            _ => {}
        }
    }
    LabLink { view, config }
}

/// The link fragment (without `#`) for `cfg` shown as `view`: the knobs'
/// [`to_fragment`], then `embed=1` and `controls` when not the default.
pub fn link_fragment(cfg: &LabConfig, view: View) -> String {
    let mut f = to_fragment(cfg);
    if view.embed {
        if !f.is_empty() {
            f.push('&');
        }
        f.push_str("embed=1");
        if view.controls != Controls::Full {
            f.push_str("&controls=");
            f.push_str(view.controls.id());
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(fragment: &str) -> View {
        read_link(fragment).view
    }

    fn refused(fragment: &str) -> String {
        read_link(fragment).config.unwrap_err().to_string()
    }

    #[test]
    fn embed_and_controls_are_read_anywhere_among_the_knobs() {
        let link = read_link("#rate=5000&embed=1&controls=minimal&tw-reuse=1");
        assert_eq!(
            link.view,
            View {
                embed: true,
                controls: Controls::Minimal
            }
        );
        let cfg = link.config.unwrap();
        assert_eq!((cfg.rate, cfg.tw_reuse), (5000, 1));
        assert!(!view("embed=0").embed);
        assert_eq!(view("embed=1&controls=none").controls, Controls::None);
        assert_eq!(read_link("").config.unwrap(), LabConfig::default());
        assert_eq!(read_link("embed=1").config.unwrap(), LabConfig::default());
        // Without embed=1, controls is read and has no effect.
        let alone = view("controls=none");
        assert_eq!((alone.attribute(), alone.remedies()), (None, true));
    }

    #[test]
    fn each_view_shows_what_a_course_page_needs() {
        let v = |c| View {
            embed: true,
            controls: c,
        };
        let whole = View::default();
        assert_eq!((whole.attribute(), whole.remedies()), (None, true));
        let full = v(Controls::Full);
        assert_eq!((full.attribute(), full.remedies()), (Some("full"), true));
        let minimal = v(Controls::Minimal);
        assert_eq!(
            (minimal.attribute(), minimal.remedies()),
            (Some("minimal"), true)
        );
        let none = v(Controls::None);
        assert_eq!((none.attribute(), none.remedies()), (Some("none"), false));
    }

    #[test]
    fn a_bad_view_value_is_refused_by_name_and_keeps_its_default() {
        assert_eq!(refused("embed=yes"), "embed: 1 or 0, not `yes`");
        assert!(!view("embed=yes").embed);
        assert_eq!(refused("embed"), "embed: 1 or 0, not ``");
        assert_eq!(
            refused("embed=1&controls=NONE"),
            "controls: full, minimal or none, not `NONE`"
        );
        // The view keys are checked with the knobs: a bad knob after them too.
        assert_eq!(
            refused("embed=1&controls=none&rate=x"),
            "rate: a whole number in range, not `x`"
        );
        assert_eq!(refused("embed"), "embed: 1 or 0, not ``");
        assert_eq!(
            refused("embed=1&controls=NONE"),
            "controls: full, minimal or none, not `NONE`"
        );
        assert_eq!(
            refused("embed=1&controls=all&rate=5000"),
            "controls: full, minimal or none, not `all`"
        );
        // The embed stays, with every control; the lab runs its defaults.
        assert_eq!(view("embed=1&controls=all"), view("embed=1"));
        assert_eq!(refused("embed=1&embed=1"), "embed: given twice");
        assert_eq!(
            refused("controls=none&controls=none"),
            "controls: given twice"
        );
        // A hostile value is quoted short, without its control characters.
        let msg = refused(&format!(
            "embed=1&controls=<script>{}\u{7}",
            "x".repeat(500)
        ));
        assert!(
            msg.len() < 200 && msg.contains("…") && !msg.contains('\u{7}'),
            "{msg}"
        );
        // A bad knob in an embed: embedded, the knob named, the lab's defaults.
        let link = read_link("#rate=0&embed=1");
        assert!(link.view.embed);
        assert_eq!(
            link.config.unwrap_err().to_string(),
            "rate: must be 1 to 100000 per second, got 0"
        );
        // The playground's other embed keys are no lab knobs.
        assert!(refused("embed=1&autoplay=1").starts_with("link: no knob `autoplay`"));
        // Too long: refused unread, the view too.
        let long = format!("embed=1&rate={}", "9".repeat(2000));
        assert!(refused(&long).contains("a lab link is at most 1024"));
        assert!(!view(&long).embed);
    }

    #[test]
    fn the_link_keeps_the_view_after_the_knobs_and_reads_back() {
        let cfg = read_link("rate=5000&closer=server").config.unwrap();
        let embedded = View {
            embed: true,
            controls: Controls::None,
        };
        let f = link_fragment(&cfg, embedded);
        assert_eq!(f, "rate=5000&closer=server&embed=1&controls=none");
        assert_eq!(
            read_link(&f),
            LabLink {
                view: embedded,
                config: Ok(cfg.clone())
            }
        );
        let full = View {
            embed: true,
            ..View::default()
        };
        assert_eq!(link_fragment(&LabConfig::default(), full), "embed=1");
        assert_eq!(
            link_fragment(&cfg, View::default()),
            "rate=5000&closer=server"
        );
        assert_eq!(link_fragment(&LabConfig::default(), View::default()), "");
    }
}
