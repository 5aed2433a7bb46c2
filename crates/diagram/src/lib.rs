//! The sequence diagram of a Farewell trace: layout (geometry and text), SVG
//! rendering, and what playback shows at any instant. Pure functions of a
//! [`farewell_engine::Trace`]: no web dependencies, tested natively.
//!
//! Data flow: scenario → simulator → trace → **layout → SVG** → view.

pub mod countdown;
pub mod layout;
pub mod order;
pub mod playback;
pub mod svg;
pub mod table;
pub mod timemap;

pub use countdown::{countdown_at, Countdown, Phase};
pub use layout::{
    format_clock, format_duration, layout, segment_label, Arrow, AxisBreak, Diagram, StateBand,
    Tick, TimerBracket, TimerEnd,
};
pub use playback::{
    active_timers_at, narration_at, ss_table_at, state_at, timer_spans, ActiveTimer, SsRow,
    TimerSpan,
};
pub use svg::{
    escape, palette, render_svg, render_svg_with, standalone_css, SvgOptions, Theme, DIAGRAM_CSS,
    PALETTE_CSS,
};
pub use table::{
    current_row, diagram_table, row_when, step_start, stops, table_html, TableRow, When,
};
pub use timemap::TimeMap;
