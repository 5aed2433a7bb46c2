//! The page's parts, one per file. Each takes the data it shows and a
//! `Callback<Action>` for what the user does; none holds app state of its own
//! beyond what is purely visual. Only those with hooks (the app, the diagram
//! and its playback layer, the tcpdump log) are components; the others are
//! plain functions returning `Html`, called by the app's view, because each
//! component costs the wasm 0.3–0.9 KB gzipped of yew's per-component code.
//! Most re-rendered with the app anyway (their `on_action` callback is new on
//! every render of the app, or the instant moves during playback); the legend
//! and the state machine are small.

pub mod actions_editor;
pub mod app;
pub mod countdown;
pub mod diagram_table;
pub mod diagram_view;
pub mod header;
pub mod keys;
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
