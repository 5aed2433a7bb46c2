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

use crate::state::Sim;
use std::rc::Rc;
use yew::Properties;

/// What a panel that follows playback shows: the simulation and the instant.
#[derive(Properties)]
pub struct SimAt {
    pub sim: Rc<Sim>,
    pub time_ms: f64,
}

impl PartialEq for SimAt {
    /// The trace is compared by identity: a new simulation is a new `Rc`.
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &o.sim) && self.time_ms == o.time_ms
    }
}
