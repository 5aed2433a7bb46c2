//! The TIME_WAIT accumulation lab (issue 11, item 1): what thousands of
//! connections per second do to a host's ports and TIME_WAIT table.
//!
//! * [`config`]: the knobs ([`LabConfig`]), checked by [`LabConfig::validate`].
//! * [`lifecycle`]: one connection's timeline, simulated by the real engine
//!   ([`farewell_engine::simulate`]) with the same platform, delay and loss.
//! * [`replay`]: that timeline repeated at the lab's rate with the kernel's
//!   port rules (`__inet_hash_connect`, `tcp_twsk_unique`, `tcp_max_tw_buckets`,
//!   `inet_bind_conflict`; FreeBSD's `in_pcb_lport_dest` and xnu's `in_pcbbind`
//!   for their ports, [`PortChoice`]), a fixed connection pool when there is
//!   one, into per-second [`Row`]s and a [`Summary`].
//!
//! A run is a pure function of its config (seed included).

pub mod config;
pub mod lifecycle;
pub mod replay;

pub use config::{Burst, Closer, LabConfig, LabError, PortChoice, PortRange};
pub use lifecycle::{lifecycle, sample, sample_seeds, scenario_for, Lifecycle};
pub use replay::{replay, LabRun, Replay, Row, Summary};

/// Checks the config, simulates its lifecycles and replays them.
pub fn run(cfg: &LabConfig) -> Result<LabRun, LabError> {
    cfg.validate()?;
    Ok(replay(cfg, &sample(cfg)))
}
