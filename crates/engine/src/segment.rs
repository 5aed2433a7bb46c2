//! TCP segments as the close engine sees them: control flags, sequence and
//! acknowledgment numbers, a payload length (payload bytes are not modelled)
//! and the one option modelled, the timestamp (RFC 7323).

use crate::seq::Seq;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which of the two hosts. A is the host that (by convention) closes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Host {
    A,
    B,
}

impl Host {
    pub const BOTH: [Host; 2] = [Host::A, Host::B];

    pub const fn peer(self) -> Host {
        match self {
            Host::A => Host::B,
            Host::B => Host::A,
        }
    }
    pub const fn index(self) -> usize {
        match self {
            Host::A => 0,
            Host::B => 1,
        }
    }
    pub const fn name(self) -> &'static str {
        match self {
            Host::A => "A",
            Host::B => "B",
        }
    }
    /// The illustrative IPv4 address this host is shown with (diagram labels,
    /// the `ss` table, pcap export): A is the client 10.0.0.1, B the server 10.0.0.2.
    pub const fn ipv4(self) -> [u8; 4] {
        match self {
            Host::A => [10, 0, 0, 1],
            Host::B => [10, 0, 0, 2],
        }
    }
    /// The illustrative TCP port: A an ephemeral client port, B port 80.
    pub const fn port(self) -> u16 {
        match self {
            Host::A => 40000,
            Host::B => 80,
        }
    }
    /// `10.0.0.1:40000`, as `ss` and tcpdump print a socket address.
    pub fn socket_addr(self) -> String {
        let [a, b, c, d] = self.ipv4();
        format!("{a}.{b}.{c}.{d}:{}", self.port())
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// TCP control bits (RFC 9293 §3.1). Only the ones the close story needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

impl Flags {
    pub const FIN: Flags = Flags(0x01);
    pub const SYN: Flags = Flags(0x02);
    pub const RST: Flags = Flags(0x04);
    pub const PSH: Flags = Flags(0x08);
    pub const ACK: Flags = Flags(0x10);
    pub const NONE: Flags = Flags(0);

    /// Order used when listing flags: as tcpdump prints them (`S`, `F`, `R`, `P`, `.`).
    const ORDER: [(Flags, &'static str, char); 5] = [
        (Flags::SYN, "SYN", 'S'),
        (Flags::FIN, "FIN", 'F'),
        (Flags::RST, "RST", 'R'),
        (Flags::PSH, "PSH", 'P'),
        (Flags::ACK, "ACK", '.'),
    ];

    pub const fn bits(self) -> u8 {
        self.0
    }
    pub const fn from_bits(bits: u8) -> Flags {
        Flags(bits & 0x1f)
    }
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    pub const fn without(self, other: Flags) -> Flags {
        Flags(self.0 & !other.0)
    }
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::ORDER
            .into_iter()
            .filter(move |(f, _, _)| self.contains(*f))
            .map(|(_, n, _)| n)
    }
    /// tcpdump's compact form: `F.`, `S.`, `R`, `P.`, `.`.
    pub fn tcpdump(self) -> String {
        Self::ORDER
            .into_iter()
            .filter(|(f, _, _)| self.contains(*f))
            .map(|(_, _, c)| c)
            .collect()
    }
    pub fn from_name(name: &str) -> Option<Flags> {
        Self::ORDER
            .into_iter()
            .find(|(_, n, _)| *n == name)
            .map(|(f, _, _)| f)
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

impl Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut flags = Flags::NONE;
        for n in names {
            flags = flags
                | Flags::from_name(&n)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown TCP flag `{n}`")))?;
        }
        Ok(flags)
    }
}

/// A segment on the wire. Sequence numbers are absolute (they include the ISN);
/// the trace prints them relative to each side's ISN, as tcpdump does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub flags: Flags,
    pub seq: u32,
    /// Meaningful only when `flags` contains ACK.
    pub ack: u32,
    /// Payload length in bytes.
    pub len: u32,
    pub window: u16,
    /// The timestamp option, when the connection uses it.
    pub ts: Option<Timestamps>,
    /// A D-SACK block (RFC 2883 §4), `(left edge, right edge)`: the bytes of a
    /// duplicate the sender of this ACK received (Linux `tcp_send_dupack` ->
    /// `tcp_dsack_set`). The only SACK block modelled.
    pub dsack: Option<(u32, u32)>,
}

/// The TCP timestamp option (RFC 7323 §3.2: kind 8, length 10; sent as
/// `nop, nop, TS`, 12 bytes of header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamps {
    /// TSval: the sender's timestamp clock when it sent the segment.
    pub val: u32,
    /// TSecr: the TSval it echoes (`TS.Recent`), 0 on a SYN.
    pub ecr: u32,
}

impl Timestamps {
    /// Header bytes the option takes on every segment (RFC 7323 §3.2, with
    /// the two NOPs that align it, as Linux `tcp_options_write` sends it).
    pub const LEN: u32 = 12;
}

impl Segment {
    /// SEG.SEQ, for comparing in sequence space.
    pub const fn seq_number(&self) -> Seq {
        Seq(self.seq)
    }

    /// SEG.ACK, for comparing in sequence space.
    pub const fn ack_number(&self) -> Seq {
        Seq(self.ack)
    }

    /// SEG.LEN of RFC 9293 §3.4: payload plus one for SYN and one for FIN.
    pub fn seg_len(&self) -> u32 {
        self.len
            + u32::from(self.flags.contains(Flags::SYN))
            + u32::from(self.flags.contains(Flags::FIN))
    }

    pub fn kind(&self) -> SegmentKind {
        SegmentKind::of(self.flags, self.len)
    }
}

/// What a drop or duplicate rule can match (the scenario file's `kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SegmentKind {
    /// Any segment with FIN set.
    Fin,
    /// A pure ACK: ACK set, no SYN/FIN/RST, no payload.
    Ack,
    /// A segment carrying payload.
    Data,
    Rst,
    Syn,
    Any,
}

impl SegmentKind {
    pub const ALL: [SegmentKind; 6] = [
        SegmentKind::Fin,
        SegmentKind::Ack,
        SegmentKind::Data,
        SegmentKind::Rst,
        SegmentKind::Syn,
        SegmentKind::Any,
    ];

    /// The scenario file's spelling (`FIN`, `ACK`, …), as serde writes it.
    pub const fn name(self) -> &'static str {
        match self {
            SegmentKind::Fin => "FIN",
            SegmentKind::Ack => "ACK",
            SegmentKind::Data => "DATA",
            SegmentKind::Rst => "RST",
            SegmentKind::Syn => "SYN",
            SegmentKind::Any => "ANY",
        }
    }

    /// The most specific kind describing a segment (for display).
    pub fn of(flags: Flags, len: u32) -> SegmentKind {
        if flags.contains(Flags::RST) {
            SegmentKind::Rst
        } else if flags.contains(Flags::SYN) {
            SegmentKind::Syn
        } else if flags.contains(Flags::FIN) {
            SegmentKind::Fin
        } else if len > 0 {
            SegmentKind::Data
        } else {
            SegmentKind::Ack
        }
    }

    /// Whether a segment with these flags and payload matches this kind.
    pub fn matches(self, flags: Flags, len: u32) -> bool {
        match self {
            SegmentKind::Any => true,
            SegmentKind::Fin => flags.contains(Flags::FIN),
            SegmentKind::Rst => flags.contains(Flags::RST),
            SegmentKind::Syn => flags.contains(Flags::SYN),
            SegmentKind::Data => len > 0,
            SegmentKind::Ack => {
                flags.contains(Flags::ACK)
                    && len == 0
                    && !flags.contains(Flags::SYN)
                    && !flags.contains(Flags::FIN)
                    && !flags.contains(Flags::RST)
            }
        }
    }
}

#[cfg(test)]
mod kind_tests {
    use super::SegmentKind;

    /// `name()` is what scenario files say: it must match serde's spelling.
    #[test]
    fn names_are_the_scenario_file_spelling() {
        for k in SegmentKind::ALL {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.name())
            );
        }
    }
}
