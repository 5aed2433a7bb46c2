//! The keyboard shortcuts, in one table: the page's key handler looks keys up
//! in it, and the help dialog (`?`) lists it.

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    TogglePlay,
    StepForward,
    StepBack,
    ToStart,
    /// Fit the whole diagram in view, or let it scroll.
    ToggleFit,
    /// Opens the help dialog.
    Help,
    /// Handled where the focus is (a segment, the dialog); listed only.
    Focused,
}

pub struct Shortcut {
    /// `KeyboardEvent.key` values that trigger it anywhere on the page.
    pub keys: &'static [&'static str],
    /// The keys as the dialog shows them.
    pub shown: &'static [&'static str],
    pub what: &'static str,
    pub command: Command,
}

pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut {
        keys: &[" ", "k"],
        shown: &["Space", "K"],
        what: "Play or pause",
        command: Command::TogglePlay,
    },
    Shortcut {
        keys: &["ArrowRight", "l"],
        shown: &["→", "L"],
        what: "Step to the next event",
        command: Command::StepForward,
    },
    Shortcut {
        keys: &["ArrowLeft", "j"],
        shown: &["←", "J"],
        what: "Step back",
        command: Command::StepBack,
    },
    Shortcut {
        keys: &["Home"],
        shown: &["Home"],
        what: "Back to the start",
        command: Command::ToStart,
    },
    Shortcut {
        keys: &[],
        shown: &["Enter", "Space"],
        what: "On a segment: drop it, or restore it",
        command: Command::Focused,
    },
    Shortcut {
        keys: &["f"],
        shown: &["F"],
        what: "Fit the whole diagram in view, or let it scroll",
        command: Command::ToggleFit,
    },
    Shortcut {
        keys: &["?"],
        shown: &["?"],
        what: "This list",
        command: Command::Help,
    },
    Shortcut {
        keys: &[],
        shown: &["Esc"],
        what: "Close this list",
        command: Command::Focused,
    },
];

/// The command a key press (`KeyboardEvent.key`) stands for on the page.
pub fn command(key: &str) -> Option<Command> {
    SHORTCUTS
        .iter()
        .find(|s| s.keys.contains(&key))
        .map(|s| s.command)
}

/// The help dialog's markup (closed until opened): static markup of our own,
/// written once as a string, cheaper in the wasm than one virtual node per
/// cell. Nothing in it comes from the user.
pub fn help_dialog_markup(id: &str) -> String {
    let mut m = format!(
        r#"<dialog id="{id}" class="keys-help" aria-labelledby="keys-title" data-testid="keys-help"><h2 id="keys-title">Keyboard shortcuts</h2><table><tbody>"#
    );
    for s in SHORTCUTS {
        m += r#"<tr><th scope="row">"#;
        for (i, k) in s.shown.iter().enumerate() {
            m += if i > 0 { " or <kbd>" } else { "<kbd>" };
            m += k;
            m += "</kbd>";
        }
        m += "</th><td>";
        m += s.what;
        m += "</td></tr>";
    }
    m += r#"</tbody></table><form method="dialog"><button>Close</button></form></dialog>"#;
    m
}
