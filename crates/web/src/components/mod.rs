//! Small function components, one per file. Each takes the data it shows and a
//! `Callback<Action>` for what the user does; none holds app state of its own
//! beyond what is purely visual.

pub mod actions_editor;
pub mod app;
pub mod countdown;
pub mod diagram_view;
pub mod header;
pub mod legend;
pub mod link_panel;
pub mod narration;
pub mod notice;
pub mod platform_panel;
pub mod scenario_picker;
pub mod share_panel;
pub mod socket_table;
pub mod state_machine;
pub mod tcpdump_log;
pub mod timers;
pub mod transport;
