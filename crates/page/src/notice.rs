//! The page's notices: what it tells the user, and of which kind.
//!
//! Every message the playground shows in its notice box is made here, so the
//! wording is tested natively and the components only choose which one. A
//! notice has a kind, styled and announced to match: an error (something the
//! user gave could not be read or applied) is an `alert`, read out at once;
//! a warning (applied, with a caveat, or a click that could not do what it
//! asked) and an info (a confirmation) are polite `status` messages. Each
//! kind also carries a mark and a word, so nothing depends on colour alone.

/// The kind of a [`Notice`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Warning,
    Error,
}

impl NoticeKind {
    /// The class and `data-kind` of the notice box.
    pub const fn id(self) -> &'static str {
        match self {
            NoticeKind::Info => "info",
            NoticeKind::Warning => "warning",
            NoticeKind::Error => "error",
        }
    }

    /// The ARIA role: an error interrupts (`alert`), the others wait
    /// (`status`, a polite live region).
    pub const fn role(self) -> &'static str {
        match self {
            NoticeKind::Error => "alert",
            NoticeKind::Info | NoticeKind::Warning => "status",
        }
    }

    /// The mark shown before the text (hidden from screen readers, which
    /// read [`word`](Self::word) instead).
    pub const fn mark(self) -> &'static str {
        match self {
            NoticeKind::Info => "✓",
            NoticeKind::Warning => "!",
            NoticeKind::Error => "✕",
        }
    }

    /// The kind in words, read before the text.
    pub const fn word(self) -> &'static str {
        match self {
            NoticeKind::Info => "Note:",
            NoticeKind::Warning => "Warning:",
            NoticeKind::Error => "Error:",
        }
    }
}

/// A message for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Info,
            text: text.into(),
        }
    }

    pub fn warning(text: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Warning,
            text: text.into(),
        }
    }

    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Error,
            text: text.into(),
        }
    }

    /// The work budget stopped the run at `end_ms` (`why`: the trace's stop).
    pub fn cut_short(end_ms: f64, why: &str) -> Notice {
        Notice::warning(format!(
            "Cut short at {}: {why}. Make the scenario smaller to see it end.",
            farewell_diagram::format_clock(end_ms)
        ))
    }

    /// A file that could not be imported (`why`: what is wrong, naming the field).
    pub fn not_imported(file: &str, why: &str) -> Notice {
        Notice::error(format!(
            "Could not import {}: {why}. The current scenario is unchanged.",
            farewell_json::shown(file)
        ))
    }

    /// A form value that is not a number the field takes.
    pub fn not_a_value(input: &str) -> Notice {
        Notice::error(format!(
            "Not applied: “{}” is not an allowed value here.",
            farewell_json::shown(input)
        ))
    }

    /// Action `n`'s (1-based) time field does not hold a number.
    pub fn bad_action_time(n: usize) -> Notice {
        Notice::error(format!(
            "Not applied: the time of action {n} must be a number of milliseconds."
        ))
    }

    /// Action `n`'s (1-based) bytes field does not hold a whole number.
    pub fn bad_action_bytes(n: usize) -> Notice {
        Notice::error(format!(
            "Not applied: the bytes of action {n} must be a whole number."
        ))
    }

    pub fn link_copied() -> Notice {
        Notice::info("Link copied.")
    }

    /// The clipboard refused; the link is shown so it can be copied by hand.
    pub fn copy_failed(why: &str, url: &str) -> Notice {
        Notice::error(format!("Could not copy ({why}). The link is: {url}"))
    }

    pub fn export_failed(why: &str) -> Notice {
        Notice::error(format!("Export failed: {why}"))
    }
}
