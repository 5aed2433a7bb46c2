//! The Farewell playground's page model, without any DOM code: everything the
//! page knows and says, tested natively. The Yew crate (`farewell-web`) only
//! draws it and turns input into [`state::Action`]s.
//!
//! * [`state`]: the whole app state and the [`state::Action`]s that change it
//!   (the reducer); the simulation runs inside it, held by one
//!   identity-compared handle ([`state::SimRef`]).
//! * [`edit`]: scenario edits made by clicking segments on the diagram.
//! * [`notice`]: every message the notice box shows, with its kind.
//! * [`playback`]: what the playback layer draws at an instant (packets in
//!   flight, the playhead's label) and the countdown ring's numbers.
//! * [`keys`]: the keyboard shortcuts and their help dialog.
//! * [`format`]: numbers as the panels print them.

pub mod edit;
pub mod format;
pub mod keys;
pub mod notice;
pub mod playback;
pub mod state;
