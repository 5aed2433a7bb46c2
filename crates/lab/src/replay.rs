//! The replay: the sampled lifecycles repeated at the lab's rate, with exact
//! per-port bookkeeping on the client and TIME_WAIT counts on both hosts.
//!
//! Data layout (the kernel's TIME_WAIT hash and timer wheel, made flat): every
//! connection that follows one lifecycle lives the same times, so each distinct
//! lifecycle has a FIFO ring of 16-byte [`Entry`]s whose events come due in ring
//! order; a cursor per event kind walks it. Ports are one 8-byte slot per
//! (source IP, destination, port) on the client, and one 4-byte slot per
//! 4-tuple for the server's TIME_WAIT. So a TIME_WAIT entry costs 24 bytes on
//! the client and 20 on the server (against Linux's 256-byte `tw_sock_TCP`
//! object) and nothing is allocated per connection once the rings have grown.

use crate::config::{LabConfig, PortChoice};
use crate::lifecycle::{splitmix64, Lifecycle};
use farewell_engine::{next_reaper_run, Duration};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Bytes of one TIME_WAIT socket on Linux: a `tcp_timewait_sock` in the
/// `tw_sock_TCP` slab, 248-byte object in a 256-byte slot (PROTOCOL_NOTES,
/// "TIME_WAIT at scale").
pub const TIME_WAIT_SOCK_BYTES: u64 = 256;
/// Bytes of a full TCP socket, about 2.3 KB (same source).
pub const FULL_SOCK_BYTES: u64 = 2300;
/// `tcp_tw_reuse_delay`: a TIME_WAIT socket is reusable only this long after it
/// last heard from the peer (net/ipv4/tcp_ipv4.c `tcp_twsk_unique`).
pub const TW_REUSE_DELAY_MS: u32 = 1000;
/// A bind() retried this often after EADDRINUSE, until the listener is up.
pub const BIND_RETRY_US: u64 = 1_000_000;

/// One second of the run. Gauges are end-of-second snapshots (as `ss` shows
/// them); counters are what happened during the second (as `nstat` deltas).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The second `[t_s, t_s + 1)`.
    pub t_s: u32,
    /// Client connections not yet closing (SYN_SENT or ESTABLISHED).
    pub established: u64,
    pub time_wait_client: u64,
    pub time_wait_server: u64,
    /// Client sockets holding an ephemeral port (each (source IP, destination,
    /// port) counts once; on macOS, where a port serves one destination at a
    /// time, each (source IP, port)).
    pub ports_in_use: u64,
    pub connects: u64,
    /// connect() failures: EADDRNOTAVAIL (no port), ECONNREFUSED (no listener).
    pub connect_failures: u64,
    /// connect()s that took over a TIME_WAIT port (`tcp_tw_reuse`).
    pub tw_reused: u64,
    /// Closing sockets that skipped TIME_WAIT (`TCPTimeWaitOverflow`, both hosts).
    pub tw_overflow: u64,
    /// TIME_WAIT × 256 B + established × 2,300 B.
    pub memory_bytes: u64,
    /// The server's bind() outcomes this second, while it restarts: an errno
    /// name (`EADDRINUSE`) or `ok`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bind: Vec<String>,
}

impl Row {
    /// The second's gauges and counters between `t_s` and `memory_bytes`, in
    /// the order of the CLI's rows (`established` … `tw_overflow`): one list
    /// for the CSV writer and the page's per-second table.
    pub fn counts(&self) -> [u64; 8] {
        [
            self.established,
            self.time_wait_client,
            self.time_wait_server,
            self.ports_in_use,
            self.connects,
            self.connect_failures,
            self.tw_reused,
            self.tw_overflow,
        ]
    }
}

/// What the run comes to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// TIME_WAIT length in seconds, on average: the profile's, plus half a
    /// reaper period where a reaper ends it (illumos: 60 s + 2.5 s).
    pub time_wait_s: f64,
    /// New connections per second.
    pub connection_rate: f64,
    /// rate × TIME_WAIT: the steady TIME_WAIT count when no limit binds.
    pub expected_time_wait: f64,
    /// TIME_WAIT (both hosts) at the end of the last second.
    pub steady_time_wait: u64,
    pub peak_time_wait: u64,
    pub peak_memory_bytes: u64,
    pub connects: u64,
    pub connect_failures: u64,
    /// Of the failures, those refused because the server was not listening
    /// (ECONNREFUSED, during a restart); the rest found no port (EADDRNOTAVAIL).
    #[serde(default)]
    pub connect_refused: u64,
    pub tw_reused: u64,
    pub tw_overflow: u64,
    /// When the first connect() failed, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_failure_s: Option<f64>,
    /// The highest request rate that keeps every connect() supplied with a port:
    /// ports × port tables (source IPs × destinations, or source IPs alone on
    /// macOS) ÷ how long a client socket holds its port (× requests per
    /// connection); with `tcp_tw_reuse` in force the hold ends
    /// `tcp_tw_reuse_delay` after TIME_WAIT begins. With a pool, the pool's
    /// connections hold their ports throughout and the rest are shared by the
    /// closing ones, each holding its port from close() on. `None` if no port
    /// is ever held, or none is ever given back (a pool that never closes: no
    /// rate then makes ports run out). Counts only port exhaustion, not
    /// `tcp_max_tw_buckets` or a restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_failure_free_rate: Option<f64>,
    /// When the restarted server's listener was up again, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_up_s: Option<f64>,
}

/// A run's per-second rows and its summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LabRun {
    pub rows: Vec<Row>,
    pub summary: Summary,
}

/// One live connection in its lifecycle's ring.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// When its lifecycle's clock starts (connect(), or a pooled connection's
    /// last request), µs: within the run, so within a u32.
    t0: u32,
    conn: u32,
    pair: u16,
    port: u16,
    /// The (source IP, destination) pair of its 4-tuple: `pair` but on macOS,
    /// whose port tables are per source IP.
    dest_pair: u16,
    flags: u8,
}

const _: () = assert!(std::mem::size_of::<Entry>() <= 16);
const _: () = assert!((crate::config::MAX_DURATION_S as u64) * 1_000_000 < u32::MAX as u64);

const CLIENT_OVERFLOW: u8 = 1;
const SERVER_OVERFLOW: u8 = 2;

/// Event kinds, each with its own cursor; the offsets come from the lifecycle.
const OPEN_END: usize = 0;
const CLIENT_TW: usize = 1;
const CLIENT_RELEASE: usize = 2;
const SERVER_TW: usize = 3;
const SERVER_TW_END: usize = 4;
const KINDS: usize = 5;
/// Up to this many distinct lifecycles (no loss gives one), `drain` looks at
/// every ring and kind; beyond, a heap of due times finds the ones due
/// (`cargo bench -p farewell-lab`: 12 M connections/s both ways at one ring,
/// 10 M instead of 7 M at 64).
const SCAN_ALL_RINGS: usize = 2;

struct Ring {
    offsets: [Option<u64>; KINDS],
    /// The kinds a TIME_WAIT reaper's run ends ([`Lifecycle::reaped`]): their
    /// due times are rounded up to its next run.
    reaped: [bool; KINDS],
    entries: Entries,
    /// Absolute index of `entries[0]`.
    base: u64,
    cursor: [u64; KINDS],
}

/// A FIFO of entries in fixed-size chunks: it grows and shrinks a chunk at a
/// time, never by copying all of itself, as a `VecDeque` does when it doubles
/// (at 100,000 connections a second and a 60 s TIME_WAIT, 6 million entries,
/// 144 MB: one such copy kept the browser's main thread busy for 100 ms).
#[derive(Default)]
struct Entries {
    chunks: VecDeque<Box<[Entry]>>,
    /// Index of the first entry in `chunks[0]`.
    head: usize,
    len: usize,
}

const CHUNK: usize = 1 << 14;

impl Entries {
    fn len(&self) -> usize {
        self.len
    }

    fn locate(&self, i: usize) -> (usize, usize) {
        let at = self.head + i;
        (at / CHUNK, at % CHUNK)
    }

    fn get(&self, i: usize) -> Option<&Entry> {
        if i >= self.len {
            return None;
        }
        let (c, o) = self.locate(i);
        Some(&self.chunks[c][o])
    }

    fn get_mut(&mut self, i: usize) -> &mut Entry {
        assert!(i < self.len, "entry {i} of {}", self.len);
        let (c, o) = self.locate(i);
        &mut self.chunks[c][o]
    }

    #[cfg(test)]
    fn back(&self) -> Option<&Entry> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    fn push_back(&mut self, e: Entry) {
        let (c, o) = self.locate(self.len);
        if c == self.chunks.len() {
            self.chunks.push_back(vec![e; CHUNK].into_boxed_slice());
        }
        self.chunks[c][o] = e;
        self.len += 1;
    }

    fn pop_front(&mut self) {
        if self.len == 0 {
            return;
        }
        self.len -= 1;
        self.head += 1;
        if self.head == CHUNK || self.len == 0 {
            self.chunks.pop_front();
            self.head = 0;
        }
    }
}

/// A port slot: 0 free; else `(conn + 1) << 32 | tw`, where `tw` is 0 while the
/// socket is not in TIME_WAIT and `enter_ms + 1` once it is.
type Slot = u64;

fn holder(s: Slot) -> u32 {
    ((s >> 32) as u32).wrapping_sub(1)
}
fn tw_since_ms(s: Slot) -> Option<u32> {
    (s as u32).checked_sub(1)
}

struct Lab {
    cfg: LabConfig,
    /// The kernel's port search ([`PortChoice`]).
    choice: PortChoice,
    /// xnu's `ipi_lastport`: the last port handed out, as an index into the
    /// range, shared by every port table (one cursor per host).
    xnu_last: u32,
    /// Destinations with a port table each: the config's, or 1 on macOS,
    /// where a port is unique per local address (one table per source IP).
    table_destinations: u64,
    /// One source IP and one destination: every connection's pair is 0.
    one_pair: bool,
    rings: Vec<Ring>,
    /// Connection `n` follows ring `order[n % order.len()]`.
    order: Vec<u8>,
    /// Ports per port table ([`LabConfig::ports_per_table`]): on Linux rounded
    /// down to even (`remaining &= ~1U`). A table is a (source IP,
    /// destination) pair, or a source IP on macOS ([`LabConfig::port_tables`]);
    /// "pair" below means a table.
    remaining: u32,
    slots: Vec<Slot>,
    /// Free ports per pair and parity (so a full parity pass is skipped at once).
    free: Vec<[u32; 2]>,
    /// Client TIME_WAIT sockets per pair and parity.
    tw_ports: Vec<[u32; 2]>,
    /// With `tcp_tw_reuse` in force, per pair: the TIME_WAIT ports by the ms
    /// they entered it (stale entries skipped), and how many per parity are
    /// reusable, i.e. `tcp_tw_reuse_delay` old as of `ripened_ms`. A connect()
    /// that finds neither a free nor a reusable port is then refused without
    /// searching every port, as the kernel would after its search; a search
    /// that starts is sure to succeed. (At 100,000 connect()s a second over
    /// 28,232 ports, searching every port for each was 10⁹ slot reads a second.)
    tw_by_age: Vec<BinaryHeap<Reverse<(u32, u16)>>>,
    reusable: Vec<[u32; 2]>,
    ripened_ms: Vec<u32>,
    /// `secure_ipv4_port_ephemeral` per pair, and `table_perturb` per pair.
    port_offset: Vec<u32>,
    perturb: Vec<u32>,
    rng: u64,
    reuse: bool,
    tw_limit: u64,
    /// The server's TIME_WAIT per client 4-tuple ((source IP, destination)
    /// × port, as [`Lab::tuple_index`] numbers them): 0, or the holder's
    /// `conn + 1`. Empty when the server never holds TIME_WAIT.
    server_tw: Vec<u32>,
    /// Whether a new connection on a 4-tuple the server holds in TIME_WAIT
    /// ends that socket ([`LabConfig::syn_ends_server_time_wait`]).
    syn_ends_tw: bool,
    // Gauges.
    established: u64,
    tw_client: u64,
    tw_server: u64,
    ports_in_use: u64,
    // This second's counters.
    row: Row,
    // Server restart.
    listening: bool,
    next_bind_us: Option<u64>,
    listener_up_us: Option<u64>,
    first_failure_us: Option<u64>,
    /// connect()s refused while the server was not listening.
    refused: u64,
    /// The next due time of every (ring, kind) with events pending: `drain`
    /// visits only those due, not every ring and kind on every connect.
    due: BinaryHeap<Reverse<(u64, u8, u8)>>,
    /// Scratch for `drain`: the (ring, kind) pairs due, in processing order.
    due_now: Vec<(u8, u8)>,
    /// Without the heap (few rings): no event is due before this.
    next_due: u64,
    /// The period of the platform's TIME_WAIT reaper (1 µs: none).
    reaper: Duration,
}

impl Lab {
    fn new(cfg: &LabConfig, lifecycles: &[Lifecycle]) -> Self {
        let mut kinds: Vec<Lifecycle> = Vec::new();
        let order = lifecycles
            .iter()
            .map(|l| match kinds.iter().position(|k| k == l) {
                Some(i) => i as u8,
                None => {
                    kinds.push(*l);
                    (kinds.len() - 1) as u8
                }
            })
            .collect();
        let rings = kinds
            .iter()
            .map(|l| Ring {
                offsets: [
                    Some(l.open_until_us),
                    l.client_time_wait.map(|w| w.0),
                    Some(l.client_release_us),
                    l.server_time_wait.map(|w| w.0),
                    l.server_time_wait.map(|w| w.1),
                ],
                reaped: [false, false, l.reaped[0], false, l.reaped[1]],
                entries: Entries::default(),
                base: 0,
                cursor: [0; KINDS],
            })
            .collect();
        let remaining = cfg.ports_per_table();
        let pairs = cfg.port_tables() as usize;
        let mut rng = cfg.seed ^ 0x6c61_625f_7365_6564;
        let port_offset = (0..pairs).map(|_| splitmix64(&mut rng) as u32).collect();
        let perturb = (0..pairs).map(|_| splitmix64(&mut rng) as u32).collect();
        Lab {
            cfg: cfg.clone(),
            choice: cfg.port_choice(),
            // `ipi_lastport` starts below the range: the first port is `first`.
            xnu_last: remaining - 1,
            table_destinations: u64::from(cfg.port_tables() / cfg.source_ips),
            one_pair: cfg.source_ips == 1 && cfg.destinations == 1,
            rings,
            order,
            remaining,
            slots: vec![0; pairs * remaining as usize],
            // Index parity: an odd count has one more even index.
            free: vec![[remaining.div_ceil(2), remaining / 2]; pairs],
            tw_ports: vec![[0; 2]; pairs],
            tw_by_age: vec![BinaryHeap::new(); pairs],
            reusable: vec![[0; 2]; pairs],
            ripened_ms: vec![0; pairs],
            port_offset,
            perturb,
            rng,
            reuse: cfg.tw_reuse_applies() && cfg.timestamps_on(),
            tw_limit: u64::from(cfg.tw_limit()),
            server_tw: if kinds.iter().any(|l| l.server_time_wait.is_some()) {
                vec![0; (cfg.source_ips * cfg.destinations) as usize * remaining as usize]
            } else {
                Vec::new()
            },
            syn_ends_tw: cfg.syn_ends_server_time_wait(),
            established: 0,
            tw_client: 0,
            tw_server: 0,
            ports_in_use: 0,
            row: Row::default(),
            listening: true,
            next_bind_us: None,
            listener_up_us: None,
            first_failure_us: None,
            refused: 0,
            due: BinaryHeap::new(),
            due_now: Vec::new(),
            next_due: u64::MAX,
            reaper: cfg
                .platform
                .profile()
                .time_wait_granularity
                .unwrap_or(Duration::from_micros(1)),
        }
    }

    /// Whether `drain` looks at every ring (few of them) instead of the heap.
    fn scan_all(&self) -> bool {
        self.rings.len() <= SCAN_ALL_RINGS
    }

    fn slot_index(&self, pair: u16, port: u16) -> usize {
        pair as usize * self.remaining as usize + port as usize
    }

    /// Applies every lifecycle event due at or before `t` (µs), ring by ring
    /// and kind by kind in index order (the order does not depend on which
    /// pairs happen to be due).
    fn drain(&mut self, t: u64) {
        if self.scan_all() {
            if t < self.next_due {
                return;
            }
            self.next_due = u64::MAX;
            for r in 0..self.rings.len() {
                for kind in 0..KINDS {
                    self.drain_kind(r, kind, t);
                }
                self.trim(r);
            }
            return;
        }
        let mut now = std::mem::take(&mut self.due_now);
        while let Some(&Reverse((due, r, kind))) = self.due.peek() {
            if due > t {
                break;
            }
            self.due.pop();
            now.push((r, kind));
        }
        now.sort_unstable();
        for &(r, kind) in &now {
            self.drain_kind(r as usize, kind as usize, t);
        }
        now.dedup_by_key(|p| p.0);
        for &(r, _) in &now {
            self.trim(r as usize);
        }
        now.clear();
        self.due_now = now;
    }

    /// Applies ring `r`'s events of `kind` due at or before `t`; with the heap
    /// in use, files the next one's due time.
    fn drain_kind(&mut self, r: usize, kind: usize, t: u64) {
        let Some(off) = self.rings[r].offsets[kind] else {
            return;
        };
        loop {
            let ring = &self.rings[r];
            let i = (ring.cursor[kind] - ring.base) as usize;
            let Some(e) = ring.entries.get(i).copied() else {
                return;
            };
            let mut due = u64::from(e.t0) + off;
            if ring.reaped[kind] {
                // illumos's reaper, every `TCP_TIME_WAIT_DELAY` from the lab's
                // t = 0 (`tcp_time_wait.c:217-219`).
                due = next_reaper_run(due, self.reaper);
            }
            if due > t {
                if self.scan_all() {
                    self.next_due = self.next_due.min(due);
                } else {
                    self.due.push(Reverse((due, r as u8, kind as u8)));
                }
                return;
            }
            self.rings[r].cursor[kind] += 1;
            self.apply(r, i, kind, e, due);
        }
    }

    /// Forgets ring `r`'s entries every kind is done with.
    fn trim(&mut self, r: usize) {
        let ring = &mut self.rings[r];
        let done = ring
            .cursor
            .iter()
            .zip(ring.offsets)
            .filter(|(_, o)| o.is_some());
        let min = done.map(|(c, _)| *c).min().unwrap_or(ring.base);
        while ring.base < min {
            ring.entries.pop_front();
            ring.base += 1;
        }
    }

    fn apply(&mut self, r: usize, i: usize, kind: usize, e: Entry, due: u64) {
        let idx = self.slot_index(e.pair, e.port);
        let parity = (e.port & 1) as usize;
        match kind {
            OPEN_END => self.established -= 1,
            CLIENT_TW => {
                // `tcp_time_wait` (net/ipv4/tcp_minisocks.c): past
                // tcp_max_tw_buckets no timewait sock is made; the socket is
                // closed at once and TCPTimeWaitOverflow counts it.
                if self.tw_client >= self.tw_limit {
                    self.rings[r].entries.get_mut(i).flags |= CLIENT_OVERFLOW;
                    self.row.tw_overflow += 1;
                    self.release(idx, e.pair, parity);
                } else {
                    self.tw_client += 1;
                    self.tw_ports[e.pair as usize][parity] += 1;
                    let since = (due / 1000) as u32 + 1;
                    self.slots[idx] = (self.slots[idx] & !0xFFFF_FFFF) | u64::from(since);
                    if self.reuse {
                        self.tw_by_age[e.pair as usize].push(Reverse((since - 1, e.port)));
                    }
                }
            }
            CLIENT_RELEASE => {
                let s = self.slots[idx];
                // Skipped TIME_WAIT (already released), or a reused TIME_WAIT
                // port now held by a newer connection: nothing left to free.
                if e.flags & CLIENT_OVERFLOW != 0 || s == 0 || holder(s) != e.conn {
                    return;
                }
                if tw_since_ms(s).is_some() {
                    self.end_client_time_wait(idx, e.pair, parity);
                }
                self.release(idx, e.pair, parity);
            }
            SERVER_TW => {
                if self.tw_server >= self.tw_limit {
                    self.rings[r].entries.get_mut(i).flags |= SERVER_OVERFLOW;
                    self.row.tw_overflow += 1;
                } else {
                    self.tw_server += 1;
                    let tuple = self.tuple_index(e.dest_pair, e.port);
                    // A TIME_WAIT still on this 4-tuple (a connection whose
                    // SYN did not end it) gives way to the newer one.
                    if std::mem::replace(&mut self.server_tw[tuple], e.conn.wrapping_add(1)) != 0 {
                        self.tw_server -= 1;
                    }
                }
            }
            SERVER_TW_END => {
                // Unless it skipped TIME_WAIT, or a newer connection's SYN
                // ended it early.
                let tuple = self.tuple_index(e.dest_pair, e.port);
                if e.flags & SERVER_OVERFLOW == 0 && self.server_tw[tuple] == e.conn.wrapping_add(1)
                {
                    self.server_tw[tuple] = 0;
                    self.tw_server -= 1;
                }
            }
            _ => unreachable!("{KINDS} event kinds"),
        }
    }

    /// The index in `server_tw` of the 4-tuple of a connection from `port`
    /// and (source IP, destination) pair `dest_pair`.
    fn tuple_index(&self, dest_pair: u16, port: u16) -> usize {
        dest_pair as usize * self.remaining as usize + port as usize
    }

    /// Connection `n`'s SYN from `port` reaches the server: a TIME_WAIT socket
    /// on its 4-tuple ends ([`LabConfig::syn_ends_server_time_wait`]),
    /// listener or not.
    #[inline(always)]
    fn syn_meets_server_time_wait(&mut self, dest_pair: u16, port: u16) {
        if self.server_tw.is_empty() || !self.syn_ends_tw {
            return;
        }
        let tuple = self.tuple_index(dest_pair, port);
        if self.server_tw[tuple] != 0 {
            self.server_tw[tuple] = 0;
            self.tw_server -= 1;
        }
    }

    /// The client's own TIME_WAIT socket at `idx` leaves TIME_WAIT.
    fn end_client_time_wait(&mut self, idx: usize, pair: u16, parity: usize) {
        if let Some(since) = tw_since_ms(self.slots[idx]) {
            self.forget_reusable(pair, parity, since);
        }
        self.tw_client -= 1;
        self.tw_ports[pair as usize][parity] -= 1;
    }

    fn release(&mut self, idx: usize, pair: u16, parity: usize) {
        self.slots[idx] = 0;
        self.free[pair as usize][parity] += 1;
        self.ports_in_use -= 1;
    }

    /// The server's bind() after its restart (`inet_bind_conflict` in
    /// net/ipv4/inet_connection_sock.c): a TIME_WAIT socket on the port
    /// conflicts unless both it and the new listener set SO_REUSEADDR. The
    /// listener always had it when `reuseaddr` is set.
    fn bind_attempts(&mut self, t: u64) {
        while let Some(b) = self.next_bind_us.filter(|&b| b <= t) {
            self.drain(b);
            if self.tw_server > 0 && !self.cfg.reuseaddr {
                self.row.bind.push("EADDRINUSE".into());
                self.next_bind_us = Some(b + BIND_RETRY_US);
            } else {
                self.row.bind.push("ok".into());
                self.listening = true;
                self.next_bind_us = None;
                self.listener_up_us = Some(b);
            }
        }
    }

    fn fail(&mut self, t: u64) {
        self.row.connect_failures += 1;
        self.first_failure_us.get_or_insert(t);
    }

    /// connect() number `n` at `t` µs, whose lifecycle's clock starts at
    /// `base` µs (`t`, or for a pooled connection its last request; the
    /// lifecycle's close comes `conn_ms` after it), or never closes within the
    /// run (`None`). `false` if it failed.
    // Inlined (with `pick_port`) into each replay loop, as into the one loop
    // before pools: a call costs ~15 % of the instructions per connect().
    #[inline(always)]
    fn connect(&mut self, n: u64, t: u64, base: Option<u64>) -> bool {
        self.row.connects += 1;
        let ips = u64::from(self.cfg.source_ips);
        // Connection `n` goes from source IP `n % ips` to destination
        // `(n / ips) % destinations`; its port table is that pair's, or on
        // macOS the source IP's.
        let (ip, dest) = if self.one_pair {
            (0, 0)
        } else {
            (n % ips, (n / ips) % u64::from(self.cfg.destinations))
        };
        let dest_pair = (ip * u64::from(self.cfg.destinations) + dest) as u16;
        let pair = if self.table_destinations == 1 {
            ip as u16
        } else {
            dest_pair
        };
        let Some((port, reused)) = self.pick_port(pair, t) else {
            // EADDRNOTAVAIL.
            self.fail(t);
            return false;
        };
        let idx = self.slot_index(pair, port);
        let parity = (port & 1) as usize;
        let conn = n as u32;
        self.syn_meets_server_time_wait(dest_pair, port);
        if reused {
            self.end_client_time_wait(idx, pair, parity);
            self.row.tw_reused += 1;
        }
        if !self.listening {
            // ECONNREFUSED: the SYN meets no listener and is reset; the
            // socket closes and gives its port back.
            if reused {
                self.release(idx, pair, parity);
            }
            self.refused += 1;
            self.fail(t);
            return false;
        }
        if !reused {
            self.free[pair as usize][parity] -= 1;
            self.ports_in_use += 1;
        }
        self.slots[idx] = u64::from(conn.wrapping_add(1)) << 32;
        self.established += 1;
        let Some(t) = base else {
            // Open to the end: it holds its port and counts as established.
            return true;
        };
        let r = self.order[(n % self.order.len() as u64) as usize] as usize;
        let ring = &mut self.rings[r];
        ring.entries.push_back(Entry {
            t0: t as u32,
            conn,
            pair,
            port,
            dest_pair,
            flags: 0,
        });
        if self.scan_all() {
            if let Some(off) = self.rings[r].offsets.iter().flatten().min() {
                self.next_due = self.next_due.min(t + off);
            }
            return true;
        }
        let ring = &self.rings[r];
        // A kind with nothing else pending is due when this entry is.
        let newest = ring.base + ring.entries.len() as u64 - 1;
        for kind in 0..KINDS {
            if let Some(off) = ring.offsets[kind] {
                if ring.cursor[kind] == newest {
                    self.due.push(Reverse((t + off, r as u8, kind as u8)));
                }
            }
        }
        true
    }

    /// Linux `__inet_hash_connect` (net/ipv4/inet_hashtables.c): start at
    /// `table_perturb[index] + port_offset`, try ports of one parity in steps of
    /// 2, then the other; a port is usable when its 4-tuple is unique (here: the
    /// pair's slot is free) or its TIME_WAIT owner may be taken over
    /// (`tcp_twsk_unique` in net/ipv4/tcp_ipv4.c: tw_reuse on, timestamps seen,
    /// more than `tcp_tw_reuse_delay` since the socket last heard from its peer).
    /// On success `table_perturb` advances by `max(i, random(8)·2) + 2`.
    /// Counts the TIME_WAIT ports of `pair` that have become reusable by
    /// `now_ms` (`now_ms > since + tcp_tw_reuse_delay`).
    fn ripen(&mut self, pair: usize, now_ms: u32) {
        let base = pair * self.remaining as usize;
        while let Some(&Reverse((since, port))) = self.tw_by_age[pair].peek() {
            if now_ms <= since + TW_REUSE_DELAY_MS {
                break;
            }
            self.tw_by_age[pair].pop();
            // Only if the port is still in that same TIME_WAIT.
            if tw_since_ms(self.slots[base + port as usize]) == Some(since) {
                self.reusable[pair][(port & 1) as usize] += 1;
            }
        }
        self.ripened_ms[pair] = now_ms;
    }

    /// A TIME_WAIT port of `pair` (entered at `since`) leaves TIME_WAIT.
    fn forget_reusable(&mut self, pair: u16, parity: usize, since: u32) {
        let p = pair as usize;
        if self.reuse && self.ripened_ms[p] > since + TW_REUSE_DELAY_MS {
            self.reusable[p][parity] -= 1;
        }
    }

    #[inline(always)]
    fn pick_port(&mut self, pair: u16, t: u64) -> Option<(u16, bool)> {
        if self.choice != PortChoice::Linux {
            return self.pick_port_bsd(pair as usize);
        }
        let p = pair as usize;
        let remaining = self.remaining;
        let now_ms = (t / 1000) as u32;
        if self.reuse {
            self.ripen(p, now_ms);
        }
        let mut offset = self.perturb[p].wrapping_add(self.port_offset[p]) % remaining;
        offset &= !1;
        for _pass in 0..2 {
            let parity = (offset & 1) as usize;
            let candidates =
                self.free[p][parity] > 0 || (self.reuse && self.reusable[p][parity] > 0);
            if candidates {
                let base = p * remaining as usize;
                let mut port = offset;
                let mut i = 0;
                while i < remaining {
                    if port >= remaining {
                        port -= remaining;
                    }
                    let s = self.slots[base + port as usize];
                    let usable = if s == 0 {
                        Some(false)
                    } else {
                        match tw_since_ms(s) {
                            Some(since) if self.reuse && now_ms > since + TW_REUSE_DELAY_MS => {
                                Some(true)
                            }
                            _ => None,
                        }
                    };
                    if let Some(reused) = usable {
                        let r = (splitmix64(&mut self.rng) % 8) as u32 * 2;
                        self.perturb[p] = self.perturb[p].wrapping_add(i.max(r) + 2);
                        return Some((port as u16, reused));
                    }
                    i += 2;
                    port += 2;
                }
            }
            offset += 1;
        }
        None
    }

    /// FreeBSD's `in_pcb_lport_dest` and xnu's `in_pcbbind` ([`PortChoice`]):
    /// `++*lastport`, wrapping to the range's first port, until a port is free
    /// in the table; every port is tried before EADDRNOTAVAIL. FreeBSD starts
    /// each search at `first + arc4random() % (last - first)`; xnu from the
    /// host's last port. Neither takes over a TIME_WAIT port here.
    #[inline(never)]
    fn pick_port_bsd(&mut self, p: usize) -> Option<(u16, bool)> {
        let len = self.remaining;
        if self.free[p][0] + self.free[p][1] == 0 {
            // The kernel's search would try every port and find none.
            return None;
        }
        let mut port = match self.choice {
            PortChoice::Freebsd => (splitmix64(&mut self.rng) % u64::from(len - 1)) as u32,
            _ => self.xnu_last,
        };
        let base = p * len as usize;
        loop {
            port += 1;
            if port >= len {
                port = 0;
            }
            if self.slots[base + port as usize] == 0 {
                break;
            }
        }
        if self.choice == PortChoice::Xnu {
            self.xnu_last = port;
        }
        Some((port as u16, false))
    }

    fn snapshot(&mut self, t_s: u32) -> Row {
        let mut row = std::mem::take(&mut self.row);
        row.t_s = t_s;
        row.established = self.established;
        row.time_wait_client = self.tw_client;
        row.time_wait_server = self.tw_server;
        row.ports_in_use = self.ports_in_use;
        row.memory_bytes = (self.tw_client + self.tw_server) * TIME_WAIT_SOCK_BYTES
            + self.established * FULL_SOCK_BYTES;
        row
    }
}

/// Replays `lifecycles` (cycled) at the config's rate for its duration. The
/// config must be valid ([`LabConfig::validate`]).
pub fn replay(cfg: &LabConfig, lifecycles: &[Lifecycle]) -> LabRun {
    let mut run = Replay::new(cfg, lifecycles);
    while run.step() {}
    run.finish()
}

/// A replay taken one simulated second at a time, so a caller that must not
/// block (the playground's main thread) can yield between seconds and show
/// progress. [`replay`] is this stepped to the end.
pub struct Replay {
    lab: Lab,
    lifecycles: Vec<Lifecycle>,
    restart_us: Option<u64>,
    /// µs × requests per connection: connection `k` since the rate was last
    /// set comes at `start + k · num / den` µs.
    num: u64,
    rows: Vec<Row>,
    /// Connections opened so far.
    n: u64,
    k: u64,
    start: u64,
    den: u64,
    /// The current second has begun (some of its connect()s are made).
    in_second: bool,
    /// With a pool: per slot, the request that next opens a connection on it
    /// (`u64::MAX`: never again); the requests made so far; and the runs of
    /// seconds at one rate, to tell when a future request is made.
    pool: Option<Vec<u64>>,
    requests: u64,
    segments: Vec<Segment>,
}

/// Seconds `[start_s, end_s)` at one request rate: requests `first..first +
/// rate × (end_s - start_s)` come at `start_s + (k - first) / rate`, as
/// [`Replay::advance`] makes them.
#[derive(Clone, Copy, Debug)]
struct Segment {
    start_s: u32,
    end_s: u32,
    rate: u64,
    first: u64,
}

fn segments(cfg: &LabConfig) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for s in 0..cfg.duration_s {
        let rate = u64::from(cfg.rate_at(s));
        match out.last_mut() {
            Some(g) if g.rate == rate => g.end_s = s + 1,
            _ => {
                let first = out
                    .last()
                    .map(|g| g.first + g.rate * u64::from(g.end_s - g.start_s))
                    .unwrap_or(0);
                out.push(Segment {
                    start_s: s,
                    end_s: s + 1,
                    rate,
                    first,
                });
            }
        }
    }
    out
}

/// When request `k` (from 0) is made, in µs; `None` after the run.
fn request_time(segments: &[Segment], k: u64) -> Option<u64> {
    let g = segments
        .iter()
        .find(|g| k < g.first + g.rate * u64::from(g.end_s - g.start_s))?;
    Some(u64::from(g.start_s) * 1_000_000 + (k - g.first) * 1_000_000 / g.rate)
}

impl Replay {
    /// A replay of `lifecycles` (cycled); the config must be valid.
    pub fn new(cfg: &LabConfig, lifecycles: &[Lifecycle]) -> Self {
        Replay {
            lab: Lab::new(cfg, lifecycles),
            lifecycles: lifecycles.to_vec(),
            restart_us: cfg.restart_at_s.map(|s| (s * 1e6).round() as u64),
            // With a pool the loop walks requests, else connections.
            num: 1_000_000
                * match cfg.pool {
                    Some(_) => 1,
                    None => u64::from(cfg.requests_per_connection),
                },
            rows: Vec::with_capacity(cfg.duration_s as usize),
            n: 0,
            k: 0,
            start: 0,
            den: 0,
            in_second: false,
            pool: cfg.pool.map(|n| (0..u64::from(n)).collect()),
            requests: 0,
            segments: if cfg.pool.is_some() {
                segments(cfg)
            } else {
                Vec::new()
            },
        }
    }

    /// Seconds simulated so far.
    pub fn seconds_done(&self) -> u32 {
        self.rows.len() as u32
    }

    /// The rows so far.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Simulates the next second; `false` once every second is done.
    pub fn step(&mut self) -> bool {
        self.advance(u64::MAX)
    }

    /// Simulates at most `max_connects` more connect() calls (with a pool,
    /// requests, most of which need no connect()), finishing the
    /// current second once its last one is made; `false` once every second is
    /// done. Stepping by any amounts gives the same run.
    pub fn advance(&mut self, max_connects: u64) -> bool {
        let sec = self.seconds_done();
        if sec >= self.lab.cfg.duration_s {
            return false;
        }
        let lab = &mut self.lab;
        let end = u64::from(sec + 1) * 1_000_000;
        if !self.in_second {
            let rate = u64::from(lab.cfg.rate_at(sec));
            if rate != self.den {
                (self.k, self.start, self.den) = (0, end - 1_000_000, rate);
            }
            self.in_second = true;
        }
        let paused = if self.pool.is_some() {
            self.pooled_requests(end, max_connects)
        } else {
            self.connects(end, max_connects)
        };
        if paused {
            return true;
        }
        let lab = &mut self.lab;
        if let Some(r) = self
            .restart_us
            .filter(|&r| r < end && lab.listener_up_us.is_none())
        {
            if lab.listening && lab.next_bind_us.is_none() {
                lab.listening = false;
                lab.next_bind_us = Some(r);
            }
        }
        lab.bind_attempts(end - 1);
        lab.drain(end);
        self.rows.push(lab.snapshot(sec));
        self.in_second = false;
        sec + 1 < lab.cfg.duration_s
    }

    /// The server exits at its restart time once `t` has reached it.
    #[inline(always)]
    fn restart_by(&mut self, t: u64) {
        let lab = &mut self.lab;
        if let Some(r) = self
            .restart_us
            .filter(|&r| r <= t && lab.listener_up_us.is_none())
        {
            if lab.listening && lab.next_bind_us.is_none() {
                lab.listening = false;
                lab.next_bind_us = Some(r);
            }
        }
    }

    /// The current second's connect()s before `end` µs, one per connection,
    /// within `budget`; `true` if the budget ran out first.
    fn connects(&mut self, end: u64, mut budget: u64) -> bool {
        loop {
            let t = self.start + self.k * self.num / self.den;
            if t >= end {
                return false;
            }
            if budget == 0 {
                return true;
            }
            budget -= 1;
            self.restart_by(t);
            let lab = &mut self.lab;
            lab.bind_attempts(t);
            lab.drain(t);
            lab.connect(self.n, t, Some(t));
            self.n += 1;
            self.k += 1;
        }
    }

    /// The current second's requests before `end` µs through the pool
    /// (a connect() only where a slot has no connection), within `budget`
    /// requests; `true` if the budget ran out first.
    fn pooled_requests(&mut self, end: u64, mut budget: u64) -> bool {
        let rpc = u64::from(self.lab.cfg.requests_per_connection);
        loop {
            let t = self.start + self.k * self.num / self.den;
            if t >= end {
                return false;
            }
            if budget == 0 {
                return true;
            }
            budget -= 1;
            let req = self.requests;
            self.requests += 1;
            self.k += 1;
            let slots = self.pool.as_ref().expect("a pool");
            let size = slots.len() as u64;
            let slot = (req % size) as usize;
            if slots[slot] != req {
                // Carried by the slot's open connection.
                continue;
            }
            // Closed `conn_ms` after its last request, if it has one.
            let base = match rpc {
                0 => None,
                _ => request_time(&self.segments, req + (rpc - 1) * size),
            };
            self.restart_by(t);
            let lab = &mut self.lab;
            lab.bind_attempts(t);
            lab.drain(t);
            let opened = lab.connect(self.n, t, base);
            self.n += 1;
            // The slot opens again at its request after this connection's
            // last, or after a failed connect() on its next request.
            self.pool.as_mut().expect("a pool")[slot] = match (opened, rpc) {
                (false, _) => req + size,
                (true, 0) => u64::MAX,
                (true, _) => req + rpc * size,
            };
        }
    }

    /// The rows and summary of the seconds simulated (all of them once
    /// [`step`](Self::step) has returned `false`).
    pub fn finish(self) -> LabRun {
        let summary = summarize(&self.lab.cfg, &self.lifecycles, &self.rows, &self.lab);
        LabRun {
            rows: self.rows,
            summary,
        }
    }
}

fn summarize(cfg: &LabConfig, lifecycles: &[Lifecycle], rows: &[Row], lab: &Lab) -> Summary {
    let reaper_us = (lab.reaper.as_micros() / 2) as f64;
    let time_wait_s = (cfg.time_wait().as_micros() as f64 + reaper_us) / 1e6;
    let connection_rate = cfg.connection_rate();
    let tw = |r: &Row| r.time_wait_client + r.time_wait_server;
    // How long a client socket keeps its port, on average over the samples.
    let hold_us = lifecycles
        .iter()
        .map(|l| match l.client_time_wait {
            Some((enter, _)) if lab.reuse => (enter + u64::from(TW_REUSE_DELAY_MS) * 1000) as f64,
            _ => l.client_release_us as f64 + if l.reaped[0] { reaper_us } else { 0.0 },
        })
        .sum::<f64>()
        / lifecycles.len().max(1) as f64;
    let capacity = f64::from(lab.remaining) * f64::from(cfg.port_tables());
    let rpc = f64::from(cfg.requests_per_connection);
    let max_failure_free_rate = match cfg.pool {
        None => (hold_us > 0.0).then(|| capacity / (hold_us / 1e6) * rpc),
        Some(_) if cfg.requests_per_connection == 0 => None,
        Some(n) => {
            // The pool's connections keep theirs; each closing one holds its
            // port from close() (`conn_ms` after its last request) on.
            let after_close_us = (hold_us - cfg.conn_ms * 1000.0).max(0.0);
            (after_close_us > 0.0)
                .then(|| (capacity - f64::from(n)).max(0.0) / (after_close_us / 1e6) * rpc)
        }
    };
    Summary {
        time_wait_s,
        connection_rate,
        expected_time_wait: connection_rate * time_wait_s,
        steady_time_wait: rows.last().map(tw).unwrap_or(0),
        peak_time_wait: rows.iter().map(tw).max().unwrap_or(0),
        peak_memory_bytes: rows.iter().map(|r| r.memory_bytes).max().unwrap_or(0),
        connects: rows.iter().map(|r| r.connects).sum(),
        connect_failures: rows.iter().map(|r| r.connect_failures).sum(),
        connect_refused: lab.refused,
        tw_reused: rows.iter().map(|r| r.tw_reused).sum(),
        tw_overflow: rows.iter().map(|r| r.tw_overflow).sum(),
        first_failure_s: lab.first_failure_us.map(|t| t as f64 / 1e6),
        max_failure_free_rate,
        listener_up_s: lab.listener_up_us.map(|t| t as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PortRange;
    use crate::lifecycle::sample;

    /// Stepping a second at a time gives, at every step, the first seconds of
    /// the whole run, and at the end the whole run.
    #[test]
    fn a_replay_stepped_second_by_second_is_the_whole_replay() {
        let cfg = LabConfig {
            rate: 3000,
            duration_s: 40,
            loss: 0.02,
            restart_at_s: Some(20.5),
            ..LabConfig::default()
        };
        let lifecycles = sample(&cfg);
        let whole = replay(&cfg, &lifecycles);
        assert!(
            whole.summary.connect_failures > 0,
            "ports run out at 3,000/s"
        );
        let mut stepped = Replay::new(&cfg, &lifecycles);
        let mut more = true;
        while more {
            more = stepped.step();
            let done = stepped.seconds_done() as usize;
            assert_eq!(stepped.rows(), &whole.rows[..done]);
        }
        assert_eq!(stepped.seconds_done(), 40);
        assert!(!stepped.step(), "nothing after the last second");
        assert_eq!(stepped.finish(), whole);
        // In pieces of a few connect()s, some ending mid-second; and with a
        // pool, whose loop walks requests.
        let pooled = LabConfig {
            pool: Some(16),
            requests_per_connection: 50,
            ..cfg.clone()
        };
        let pooled_whole = replay(&pooled, &lifecycles);
        for piece in [1, 7, 1000, 2999] {
            let mut r = Replay::new(&pooled, &lifecycles);
            while r.advance(piece) {}
            assert_eq!(r.finish(), pooled_whole, "pooled, pieces of {piece}");
        }
        for piece in [1, 7, 1000, 2999, 3001] {
            let mut r = Replay::new(&cfg, &lifecycles);
            while r.advance(piece) {}
            assert_eq!(r.finish(), whole, "pieces of {piece}");
        }
    }

    /// `__inet_hash_connect` hands out one parity (even offsets from the range's
    /// low end) before the other, and every port before failing.
    #[test]
    fn ports_of_one_parity_come_first() {
        let cfg = LabConfig {
            ports: Some(PortRange {
                lo: 40000,
                hi: 40099,
            }),
            ..LabConfig::default()
        };
        let mut lab = Lab::new(&cfg, &sample(&cfg));
        let ports: Vec<u16> = (0..100)
            .map(|n| {
                lab.connect(n, n * 1000, Some(n * 1000));
                lab.rings[0].entries.back().unwrap().port
            })
            .collect();
        assert!(ports[..50].iter().all(|p| p % 2 == 0), "{ports:?}");
        assert!(ports[50..].iter().all(|p| p % 2 == 1), "{ports:?}");
        let mut sorted = ports.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 100, "each port once");
        lab.connect(100, 100_000, Some(100_000));
        assert_eq!(lab.row.connect_failures, 1, "EADDRNOTAVAIL");
    }

    /// A port in use towards one destination is free towards another: the
    /// 4-tuple, not the port, must be unique.
    #[test]
    fn a_port_is_shared_across_destinations() {
        let cfg = LabConfig {
            destinations: 2,
            ports: Some(PortRange {
                lo: 40000,
                hi: 40001,
            }),
            ..LabConfig::default()
        };
        let mut lab = Lab::new(&cfg, &sample(&cfg));
        for n in 0..4 {
            lab.connect(n, n * 1000, Some(n * 1000));
        }
        assert_eq!(lab.row.connect_failures, 0);
        assert_eq!(lab.ports_in_use, 4);
        lab.connect(4, 5000, Some(5000));
        assert_eq!(lab.row.connect_failures, 1);
    }

    fn ports_of(lab: &mut Lab, from: u64, count: u64) -> Vec<u16> {
        (from..from + count)
            .map(|n| {
                assert!(lab.connect(n, n * 1000, Some(n * 1000)), "connect {n}");
                lab.rings[0].entries.back().unwrap().port
            })
            .collect()
    }

    /// FreeBSD's `in_pcb_lport_dest` searches every port of an odd-sized
    /// range (Linux's an even count), starts at a random port each time and
    /// walks up from it, and, like Linux, lets a port serve several
    /// destinations.
    #[test]
    fn freebsd_starts_at_random_and_uses_every_port_per_destination() {
        let cfg = LabConfig {
            platform: farewell_engine::Platform::Freebsd,
            ports: Some(PortRange {
                lo: 40000,
                hi: 40100,
            }),
            destinations: 2,
            ..LabConfig::default()
        };
        let mut lab = Lab::new(&cfg, &sample(&cfg));
        // Connections alternate between the two destinations.
        let ports = ports_of(&mut lab, 0, 202);
        for d in 0..2 {
            let mut mine: Vec<u16> = ports.iter().skip(d).step_by(2).copied().collect();
            let firsts = mine[..10].to_vec();
            mine.sort();
            mine.dedup();
            assert_eq!(mine.len(), 101, "all 101 ports towards destination {d}");
            assert!(
                firsts.windows(2).any(|w| w[1] != w[0] + 1),
                "random starts, not one walk: {firsts:?}"
            );
        }
        assert_eq!(lab.ports_in_use, 202);
        assert!(!lab.connect(202, 202_000, Some(202_000)), "EADDRNOTAVAIL");
        let linux = LabConfig {
            platform: farewell_engine::Platform::Linux,
            ..cfg
        };
        assert_eq!(Lab::new(&linux, &sample(&linux)).remaining, 100);
    }

    /// xnu binds the port before it looks at the destination: a port in use
    /// towards one destination is taken for all, and ports come in order
    /// from the host's last one.
    #[test]
    fn macos_holds_a_port_for_every_destination_and_counts_up() {
        let cfg = LabConfig {
            platform: farewell_engine::Platform::Macos,
            ports: Some(PortRange {
                lo: 40000,
                hi: 40009,
            }),
            destinations: 3,
            ..LabConfig::default()
        };
        let mut lab = Lab::new(&cfg, &sample(&cfg));
        assert_eq!(ports_of(&mut lab, 0, 10), (0..10).collect::<Vec<u16>>());
        assert!(
            !lab.connect(10, 10_000, Some(10_000)),
            "10 ports, 3 destinations, 10 connections"
        );
        // Two source IPs: a table each, one cursor for the host.
        let two = LabConfig {
            source_ips: 2,
            ..cfg.clone()
        };
        let mut lab = Lab::new(&two, &sample(&two));
        assert_eq!(ports_of(&mut lab, 0, 4), vec![0, 1, 2, 3]);
        assert_eq!(lab.ports_in_use, 4);
        assert_eq!(two.port_tables(), 2);
        let linux = LabConfig {
            platform: farewell_engine::Platform::Linux,
            ..cfg
        };
        assert_eq!(linux.port_tables(), 3);
    }

    /// A pooled connection's close is placed at its last request's time,
    /// which must be the time the replay makes that request.
    #[test]
    fn request_times_follow_the_rate_schedule() {
        let cfg = LabConfig {
            rate: 3,
            duration_s: 6,
            burst: Some(crate::config::Burst {
                at_s: 2,
                for_s: 2,
                rate: 5,
            }),
            ..LabConfig::default()
        };
        let g = segments(&cfg);
        let times: Vec<u64> = (0..23).filter_map(|k| request_time(&g, k)).collect();
        let mut want = vec![0, 333_333, 666_666, 1_000_000, 1_333_333, 1_666_666];
        want.extend((0..10).map(|i| 2_000_000 + i * 200_000));
        want.extend([
            4_000_000, 4_333_333, 4_666_666, 5_000_000, 5_333_333, 5_666_666,
        ]);
        assert_eq!(times, want, "22 requests, then none");
        // A burst at the base rate is no new run: times go on from 0 s.
        let same = LabConfig {
            rate: 5,
            burst: cfg.burst,
            ..cfg.clone()
        };
        assert_eq!(segments(&same).len(), 1);
        assert_eq!(request_time(&segments(&same), 7), Some(1_400_000));
        // The replay makes its requests at those times: a pool of one
        // connection per request closes each right after it.
        let pooled = LabConfig {
            pool: Some(1),
            requests_per_connection: 1,
            ..cfg.clone()
        };
        let mut lab = Replay::new(&pooled, &sample(&pooled));
        while lab.step() {}
        let entries = &lab.lab.rings[0].entries;
        let t0s: Vec<u64> = (0..entries.len())
            .map(|i| u64::from(entries.get(i).unwrap().t0))
            .collect();
        assert_eq!(t0s, want, "none has left TIME_WAIT in 6 s");
    }
}
