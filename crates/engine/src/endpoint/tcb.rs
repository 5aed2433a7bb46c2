//! The transmission control block (RFC 9293 §3.3.1): what one connection
//! knows, from its first segment to its last. The [`super::Endpoint`] builds
//! a fresh one for every connection (smoltcp resets its socket, the kernel
//! allocates a new `tcp_sock`), so no field can be left over from the last.

use super::rtt::RttEstimator;
use crate::profile::Profile;
use crate::segment::Flags;
use crate::seq::Seq;
use crate::time::{Duration, Instant};

/// A sent, not yet acknowledged stretch of sequence space (the retransmission queue).
#[derive(Clone, Copy, Debug)]
pub(super) struct Unacked {
    pub(super) seq: Seq,
    pub(super) len: u32,
    pub(super) flags: Flags,
}

impl Unacked {
    /// SEG.LEN (RFC 9293 §3.4): the payload, plus one each for SYN and FIN.
    pub(super) fn seg_len(&self) -> u32 {
        self.len
            + u32::from(self.flags.contains(Flags::SYN))
            + u32::from(self.flags.contains(Flags::FIN))
    }
}

/// One connection's variables, named as RFC 9293 §3.3.1 (SND.UNA, …), RFC
/// 7323 §4.3 (TS.Recent, Last.ACK.sent) and Linux's `tcp_sock` name them.
#[derive(Clone, Debug)]
pub(super) struct Tcb {
    pub(super) iss: Seq,
    pub(super) irs: Seq,
    pub(super) snd_una: Seq,
    pub(super) snd_nxt: Seq,
    pub(super) rcv_nxt: Seq,
    /// Sequence number of our FIN, once sent.
    pub(super) fin_seq: Option<Seq>,
    /// Bytes the application wrote before the connection was established.
    pub(super) unsent: u32,
    /// A FIN asked for (close/shutdown) before the connection was established.
    pub(super) fin_queued: bool,
    /// Bytes written but held back by Nagle's algorithm (RFC 896).
    pub(super) nagle_held: u32,
    /// End of the last less-than-full data segment sent (Linux `snd_sml`, for
    /// Minshall's Nagle check).
    pub(super) snd_sml: Seq,
    pub(super) retransmit_queue: Vec<Unacked>,
    /// After an RTO, the rest of the queue is resent once the head is ACKed.
    pub(super) recovering: bool,
    /// Received bytes the application has not read (it never reads if `!app_reads`).
    pub(super) unread: u32,
    /// The application called close() (or abort): the socket is orphaned.
    pub(super) orphaned: bool,
    /// Linux quickack: data segments still to ACK at once.
    pub(super) quickack: u32,
    /// Linux pingpong (interactive) mode, entered on the peer's FIN.
    pub(super) pingpong: bool,
    /// Data has arrived on this connection: Linux `tcp_event_data_recv` sets
    /// `icsk_ack.ato` (TCP_ATO_MIN) on the first data segment; before it ato is
    /// 0 and a "delayed" ACK is due at the next jiffy.
    pub(super) data_received: bool,
    /// The RTT estimate and the RTO, in the profile's family's terms.
    pub(super) rtt: RttEstimator,
    /// Retransmissions of the queue's head since SND.UNA last advanced.
    pub(super) retries: u32,
    /// The backed-off intervals armed after those retransmissions, summed
    /// (illumos `tcp_ms_we_have_waited`, for the profile's `give_up_after`).
    pub(super) waited: Duration,
    /// A D-SACK block for the next ACK (Linux `tp->duplicate_sack`), sent
    /// once.
    pub(super) dsack: Option<(Seq, Seq)>,
    /// Karn's algorithm: time only segments sent once.
    pub(super) rtt_probe: Option<(Seq, Instant)>,
    pub(super) last_oow_ack: Option<Instant>,
    /// Timestamps are in use (RFC 7323 §3.2): offered on our SYN and present
    /// on the peer's, or assumed by [`super::Endpoint::new_established`].
    pub(super) ts_on: bool,
    /// TS.Recent (RFC 7323 §4.3): the peer's TSval we echo in TSecr.
    pub(super) ts_recent: u32,
    /// Last.ACK.sent (RFC 7323 §4.3; Linux `rcv_wup`): RCV.NXT on our last ACK.
    pub(super) last_ack_sent: Seq,
    /// When TIME_WAIT began (Linux `tw_entry_stamp`, for `tcp_tw_reuse_delay`).
    pub(super) time_wait_since: Instant,
}

impl Tcb {
    /// A connection about to open with ISN `iss`: nothing sent or received
    /// yet, timestamps offered if the profile offers them, the RTO at the
    /// profile's `rto_initial`. `retransmit_queue` is an emptied buffer to
    /// reuse (the last connection's), so that no connection allocates anew.
    pub(super) fn new(p: &Profile, iss: Seq, mut retransmit_queue: Vec<Unacked>) -> Tcb {
        retransmit_queue.clear();
        Tcb {
            iss,
            irs: Seq::ZERO,
            snd_una: Seq::ZERO,
            snd_nxt: Seq::ZERO,
            rcv_nxt: Seq::ZERO,
            fin_seq: None,
            unsent: 0,
            fin_queued: false,
            nagle_held: 0,
            snd_sml: iss,
            retransmit_queue,
            recovering: false,
            unread: 0,
            orphaned: false,
            quickack: p.quickack_segments,
            pingpong: false,
            data_received: false,
            rtt: RttEstimator::new(),
            retries: 0,
            waited: Duration::ZERO,
            dsack: None,
            rtt_probe: None,
            last_oow_ack: None,
            ts_on: p.timestamps,
            ts_recent: 0,
            last_ack_sent: Seq::ZERO,
            time_wait_since: Instant::ZERO,
        }
    }
}
