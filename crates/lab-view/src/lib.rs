//! What the TIME_WAIT lab page (issue 11) says and draws, with no DOM code,
//! tested natively; `farewell-lab-web` only puts it on the page, and the CLI
//! writes the same chart (`farewell lab --format svg`).
//!
//! * [`knobs`]: the lab's config as a link fragment and as a `farewell lab`
//!   command line (one set of names), read strictly.
//! * [`embed`]: a whole lab link, the knobs and how the page is shown
//!   (embedded in a course page, with which controls).
//! * [`chart`]: sockets over time as SVG, drawn as the run progresses.
//! * [`report`]: the findings in words, the numbers at a glance, the remedies.
//! * [`presets`]: one lesson each.
//! * [`runner`]: a run taken in slices (lifecycles, then seconds), so a page
//!   can yield between them and show progress.

pub mod chart;
pub mod drill;
pub mod embed;
pub mod fields;
pub mod format;
pub mod knobs;
pub mod markup;
pub mod presets;
pub mod report;
pub mod runner;

pub use chart::{chart_svg, chart_svg_file, second_at, ChartOptions, CHART_CSS};
