//! The built-in scenarios: the playground's menu and `farewell scenarios`.
//! Each is a plain scenario file under `crates/engine/scenarios/`, so course
//! authors can copy one as a starting point.

use crate::scenario::Scenario;

/// A built-in scenario: its id (the file name without `.json`) and its JSON text.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    pub id: &'static str,
    pub json: &'static str,
}

macro_rules! builtins {
    ($($id:literal),* $(,)?) => {
        &[$(Builtin { id: $id, json: include_str!(concat!("../scenarios/", $id, ".json")) }),*]
    };
}

/// In menu order: the ordinary close first, then the ways it goes wrong.
pub const ALL: &[Builtin] = builtins![
    "normal-close",
    "three-segment-close",
    "simultaneous-close",
    "half-close",
    "lost-fin",
    "lost-final-ack",
    "fin-lost-twice",
    "fin-wait-2-timeout",
    "abort-rst",
    "unread-data-rst",
    "rst-in-time-wait",
    "rst-in-time-wait-rfc1337",
    "old-duplicate",
    "old-duplicate-paws",
    "syn-into-time-wait",
    "tw-reuse",
    "handshake-and-close",
];

/// The default scenario, shown when the playground opens.
pub const DEFAULT: &str = "normal-close";

impl Builtin {
    /// Built-ins are checked by the test suite (`Scenario::from_json` and
    /// `validate` on every one), so parsing them cannot fail. `farewell_json`
    /// here, not `from_json`, keeps serde_json and its field-path errors out of
    /// the playground's wasm (which reads JSON with the browser's parser).
    pub fn scenario(&self) -> Scenario {
        farewell_json::from_str(self.json)
            .unwrap_or_else(|e| panic!("built-in scenario {} is invalid: {e}", self.id))
    }
}

pub fn get(id: &str) -> Option<Scenario> {
    ALL.iter().find(|b| b.id == id).map(Builtin::scenario)
}

pub fn ids() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|b| b.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in passes the strict reader scenario files go through
    /// (unknown fields, field validation), not only plain `serde_json`.
    #[test]
    fn every_builtin_is_a_valid_scenario_file() {
        for b in ALL {
            let strict = Scenario::from_json(b.json)
                .unwrap_or_else(|e| panic!("built-in {} is invalid: {e}", b.id));
            assert_eq!(strict, b.scenario(), "{}", b.id);
        }
    }
}
