//! A reader for real packet captures: the TCP segments of a tcpdump or
//! Wireshark file, split into connections, ready to be drawn.
//!
//! Formats are read with `pcap-parser` (classic pcap in both byte orders, with
//! microsecond or nanosecond timestamps, and pcapng with its SHB, IDB, EPB and
//! SPB blocks, several sections and interfaces) and headers with `etherparse`
//! (Ethernet with VLAN tags, Linux cooked SLL, IPv4, IPv6, TCP and its
//! options). Only the 20-byte Linux cooked v2 (SLL2) header and the 4-byte
//! BSD loopback header are read here, since etherparse has no parser for them.
//!
//! [`read`] takes a whole file, refusing one over [`MAX_BYTES`] or with more
//! than [`MAX_PACKETS`] frames with a message; [`Reader`] takes one in pieces
//! (the playground reads a dropped file in slices), drops the bytes it has
//! parsed, and with [`Limits::bounded`] stops at a limit and says so. Frames
//! are never kept: a [`Packet`] holds only the header fields a close diagram
//! needs.
//! Frames that are not TCP, or that cannot be parsed, are counted, not errors.
//! A broken file gives a [`CaptureError`], never a panic.
//!
//! [`infer()`](fn@infer) then replays one connection through the engine's
//! endpoint to infer each side's states and timers (module
//! [`infer`](mod@infer)), and [`explain`](mod@explain) says what went wrong in
//! plain words.

pub mod explain;
pub mod infer;
pub mod reconnect;
pub mod replay;
pub mod trace;

pub use explain::{findings, narration, Finding, FindingKind};
pub use infer::{infer, Inference, Options};

use etherparse::{
    EtherType, LaxNetSlice, LaxSlicedPacket, NetSlice, SlicedPacket, TcpOptionElement, TcpSlice,
    TransportSlice,
};
use farewell_engine::Flags;
use pcap_parser::nom;
use pcap_parser::pcapng::Block;
use pcap_parser::{
    parse_block_be, parse_block_le, parse_pcap_frame, parse_pcap_frame_be, parse_pcap_header,
    parse_sectionheaderblock, PcapError,
};
use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// Largest file read: 64 MiB (about a million small segments).
pub const MAX_BYTES: usize = 64 << 20;
/// Most frames read (TCP or not).
pub const MAX_PACKETS: u32 = 1_000_000;
/// Largest snapshot length accepted in a file header or interface description:
/// tcpdump's default is 262 144; anything past 1 MiB is a damaged header.
pub const MAX_SNAPLEN: u32 = 1 << 20;
/// A gap this long on one 4-tuple ends a connection incarnation even without a
/// FIN or RST: Linux's TIME_WAIT (`TCP_TIMEWAIT_LEN`, 60 s).
pub const TIME_WAIT_US: i64 = 60_000_000;

/// The link types this reader understands (tcpdump.org/linktypes.html).
pub mod linktype {
    /// BSD loopback: a 4-byte address family in the writer's byte order.
    pub const NULL: u32 = 0;
    pub const ETHERNET: u32 = 1;
    /// Raw IP (IPv4 or IPv6, told apart by the version nibble).
    pub const RAW: u32 = 101;
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    pub const LOOP: u32 = 108;
    /// Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10).
    pub const LINUX_SLL: u32 = 113;
    pub const IPV4: u32 = 228;
    pub const IPV6: u32 = 229;
    /// Linux cooked capture v2 (`tcpdump -i any` since libpcap 1.10).
    pub const LINUX_SLL2: u32 = 276;
    /// Every supported link type.
    pub const ALL: [u32; 8] = [NULL, ETHERNET, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2];
}

/// The TCP options a close diagram shows (RFC 9293 §3.2, RFC 7323, RFC 2018).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    /// Timestamps: (TSval, TSecr).
    pub ts: Option<(u32, u32)>,
    pub sack_permitted: bool,
    pub wscale: Option<u8>,
}

/// One TCP segment of the capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// The frame number, 1-based and counting every frame (TCP or not), as
    /// Wireshark numbers them.
    pub frame: u32,
    /// Capture time, in microseconds since the Unix epoch.
    pub t_us: i64,
    /// The interface (pcapng: numbered across sections; classic pcap: 0).
    pub interface: u32,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub flags: Flags,
    pub seq: u32,
    /// The acknowledgment field as sent (meaningful only with ACK).
    pub ack: u32,
    /// Payload bytes.
    pub len: u32,
    /// The raw (unscaled) window field.
    pub window: u16,
    pub options: TcpOptions,
    /// Which way the frame went at the host the capture was taken on, when
    /// its link-layer header says: a Linux cooked capture (SLL, SLL2:
    /// `tcpdump -i any`) records the socket's packet type.
    pub direction: Option<Direction>,
}

/// A frame's way through the capture host, from the packet type a Linux
/// cooked header carries (`sll_pkttype`, linux/include/uapi/linux/if_packet.h;
/// the pcap-linktype pages for LINKTYPE_LINUX_SLL and LINKTYPE_LINUX_SLL2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `PACKET_HOST` (0): addressed to the capture host and received by it.
    Incoming,
    /// `PACKET_OUTGOING` (4): sent by the capture host.
    Outgoing,
}

impl Direction {
    /// The packet type's direction; `None` for broadcast (1), multicast (2),
    /// another host's (3, seen in promiscuous mode) and anything else.
    pub fn from_packet_type(t: u16) -> Option<Direction> {
        match t {
            0 => Some(Direction::Incoming),
            4 => Some(Direction::Outgoing),
            _ => None,
        }
    }
}

/// One incarnation of one 4-tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The side that sent the first SYN (without ACK), else the destination of
    /// the first SYN-ACK, else the first packet's source.
    pub a: SocketAddr,
    pub b: SocketAddr,
    /// 1-based: the 4-tuple's second connection is incarnation 2.
    pub incarnation: u32,
    /// Indices into [`Capture::packets`], in capture order.
    pub packets: Vec<u32>,
    pub has_fin: bool,
    pub has_rst: bool,
}

/// What [`read`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capture {
    pub packets: Vec<Packet>,
    pub connections: Vec<Connection>,
    /// Frames read (TCP or not): the last frame number.
    pub frames: u32,
    /// Frames that parsed but carry no TCP (ARP, UDP, ICMP, IPv4 fragments,
    /// a link type this reader does not know in a pcapng file...).
    pub non_tcp: u32,
    /// Frames whose headers are cut short or inconsistent.
    pub unparsable: u32,
    /// The file ended in the middle of a record (as when tcpdump is killed):
    /// the frames before it were read.
    pub cut_short: bool,
    /// A bounded read ([`Reader`] with [`Limits::bounded`]) stopped here.
    pub stopped: Option<Stopped>,
}

impl Capture {
    /// The connection to show first: the first with a FIN or RST, else the
    /// first one; `None` when the capture has no TCP.
    pub fn default_connection(&self) -> Option<usize> {
        self.connections
            .iter()
            .position(|c| c.has_fin || c.has_rst)
            .or(if self.connections.is_empty() {
                None
            } else {
                Some(0)
            })
    }
}

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureError {
    /// Bigger than [`MAX_BYTES`].
    TooLarge { len: usize },
    /// More frames than [`MAX_PACKETS`].
    TooManyPackets,
    /// Neither a pcap nor a pcapng magic number.
    NotACapture,
    /// The file ends inside its first header.
    TruncatedHeader { len: usize },
    /// A link type this reader does not decode.
    UnknownLinkType(u32),
    /// A snapshot length beyond [`MAX_SNAPLEN`], or a frame longer than it.
    AbsurdSnaplen(u32),
    /// A variant of the format that is not read (e.g. the "modified" pcap).
    Unsupported(&'static str),
    /// A damaged block or record at this byte offset.
    Malformed { offset: usize, what: String },
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::TooLarge { len } => write!(
                f,
                "the file is {} MiB; captures up to {} MiB can be read (cut it with editcap or tcpdump -c)",
                len >> 20,
                MAX_BYTES >> 20
            ),
            CaptureError::TooManyPackets => write!(
                f,
                "the capture has more than {MAX_PACKETS} frames; filter it first (tcpdump -r in.pcap -w out.pcap 'tcp port N')"
            ),
            CaptureError::NotACapture => write!(
                f,
                "not a capture file: it starts with neither a pcap nor a pcapng magic number"
            ),
            CaptureError::TruncatedHeader { len } => write!(
                f,
                "the file is cut short: {len} bytes, less than its own file header"
            ),
            CaptureError::UnknownLinkType(t) => write!(
                f,
                "link type {t} is not supported (Ethernet, Linux cooked SLL/SLL2, raw IP and loopback are)"
            ),
            CaptureError::AbsurdSnaplen(n) => write!(
                f,
                "snapshot length {n} is beyond {MAX_SNAPLEN} bytes: the file is damaged"
            ),
            CaptureError::Unsupported(what) => write!(f, "{what} is not supported"),
            CaptureError::Malformed { offset, what } => {
                write!(f, "damaged capture at byte {offset}: {what}")
            }
        }
    }
}

impl std::error::Error for CaptureError {}

/// Reads a classic pcap or pcapng file (told apart by the magic number).
///
/// The whole file at once, refused past [`MAX_BYTES`] or [`MAX_PACKETS`]
/// frames; [`Reader`] reads one in pieces and can stop at a limit instead.
pub fn read(bytes: &[u8]) -> Result<Capture, CaptureError> {
    if bytes.len() > MAX_BYTES {
        return Err(CaptureError::TooLarge { len: bytes.len() });
    }
    let mut r = Reader::new(Limits::strict());
    r.push(bytes)?;
    r.finish()
}

/// What a [`Reader`] keeps before it stops reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Frames read (TCP or not).
    pub frames: u32,
    /// TCP segments kept.
    pub segments: u32,
    /// Connections kept.
    pub connections: u32,
    /// At a limit, stop and keep what was read ([`Capture::stopped`]) rather
    /// than fail with [`CaptureError::TooManyPackets`].
    pub stop: bool,
}

impl Limits {
    /// [`read`]'s: [`MAX_PACKETS`] frames, or an error.
    pub const fn strict() -> Limits {
        Limits {
            frames: MAX_PACKETS,
            segments: MAX_PACKETS,
            connections: MAX_PACKETS,
            stop: false,
        }
    }
    /// The playground's: a file of any size is read up to 200,000 segments
    /// or 5,000 connections (about 25 MB of memory), then the reading stops
    /// and says so.
    pub const fn bounded() -> Limits {
        Limits {
            frames: MAX_PACKETS,
            segments: 200_000,
            connections: 5_000,
            stop: true,
        }
    }
}

/// Which limit ended a bounded read early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    Frames(u32),
    Segments(u32),
    Connections(u32),
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, what) = match self {
            Stopped::Frames(n) => (n, "frames"),
            Stopped::Segments(n) => (n, "TCP segments"),
            Stopped::Connections(n) => (n, "connections"),
        };
        write!(
            f,
            "only the first {n} {what} were read, the most kept; filter the capture for one connection (tcpdump -r in.pcap -w out.pcap 'tcp port N') to see the rest"
        )
    }
}

/// The file's format, once its header is read.
enum Format {
    /// Not enough bytes yet for the header.
    Unknown,
    Pcap {
        link: u32,
        frac_per_s: i64,
        big: bool,
    },
    Pcapng {
        big: bool,
        interfaces: Vec<Interface>,
        next_global: u32,
    },
}

/// Reads a capture handed over in pieces (a browser reads a big file in
/// slices), so that no piece of work is long and memory stays bounded: bytes
/// are dropped once parsed, and the reading stops at [`Limits`].
pub struct Reader {
    /// Bytes not yet parsed (a record cut by the end of the last piece).
    buf: Vec<u8>,
    /// Offset in the file of `buf[0]`.
    offset: usize,
    format: Format,
    limits: Limits,
    b: Builder,
}

impl Reader {
    pub fn new(limits: Limits) -> Reader {
        Reader {
            buf: Vec::new(),
            offset: 0,
            format: Format::Unknown,
            limits,
            b: Builder::default(),
        }
    }

    /// Makes room for the segments a file of `bytes` can hold (a frame
    /// takes at least 54 bytes with its record header), within the limits.
    pub fn reserve(&mut self, bytes: usize) {
        let n = (bytes / 54).min(self.limits.segments as usize);
        self.b.capture.packets.reserve(n);
    }

    /// Bytes handed over so far.
    pub fn bytes_read(&self) -> usize {
        self.offset + self.buf.len()
    }

    /// Frames read so far.
    pub fn frames(&self) -> u32 {
        self.b.capture.frames
    }

    /// A limit was reached: the rest of the file need not be read.
    pub fn stopped(&self) -> Option<Stopped> {
        self.b.capture.stopped
    }

    /// Parses `piece`, the next bytes of the file, and whatever was left over
    /// from the previous piece. An error is final.
    pub fn push(&mut self, piece: &[u8]) -> Result<(), CaptureError> {
        if self.stopped().is_some() {
            return Ok(());
        }
        self.buf.extend_from_slice(piece);
        let used = self.parse()?;
        self.buf.drain(..used);
        self.offset += used;
        Ok(())
    }

    /// The end of the file: what was read, or why it cannot be read.
    pub fn finish(mut self) -> Result<Capture, CaptureError> {
        match self.format {
            Format::Unknown => {
                return Err(match detect(&self.buf) {
                    Some(Err(e)) => e,
                    _ => CaptureError::TruncatedHeader {
                        len: self.buf.len(),
                    },
                })
            }
            _ => {
                if !self.buf.is_empty() && self.stopped().is_none() {
                    self.b.capture.cut_short = true;
                }
            }
        }
        if self.b.capture.packets.is_empty() {
            if let Some(t) = self.b.unknown_link {
                return Err(CaptureError::UnknownLinkType(t));
            }
        }
        self.b.orient_connections();
        Ok(self.b.capture)
    }

    /// Parses the complete records in `buf`; returns the bytes used.
    fn parse(&mut self) -> Result<usize, CaptureError> {
        let mut pos = 0;
        if let Format::Unknown = self.format {
            match detect(&self.buf) {
                None => return Ok(0),
                Some(Err(e)) => return Err(e),
                Some(Ok(ng)) => {
                    let header = if ng {
                        pcapng_header(&self.buf)?
                    } else {
                        pcap_header(&self.buf)?
                    };
                    let Some((used, format)) = header else {
                        return Ok(0);
                    };
                    pos = used;
                    self.format = format;
                }
            }
        }
        let Reader {
            buf,
            offset,
            format,
            limits,
            b,
        } = self;
        b.limits = *limits;
        let rest = match format {
            Format::Unknown => unreachable!("the header was read above"),
            Format::Pcap {
                link,
                frac_per_s,
                big,
            } => pcap_records(&buf[pos..], *offset + pos, *link, *frac_per_s, *big, b)?,
            Format::Pcapng {
                big,
                interfaces,
                next_global,
            } => pcapng_blocks(&buf[pos..], *offset + pos, big, interfaces, next_global, b)?,
        };
        Ok(buf.len() - rest)
    }
}

/// Some(Ok(true)) for pcapng, Some(Ok(false)) for pcap, None when fewer than
/// 4 bytes are there.
fn detect(bytes: &[u8]) -> Option<Result<bool, CaptureError>> {
    let m = bytes.get(..4)?;
    Some(match m {
        [0x0a, 0x0d, 0x0d, 0x0a] => Ok(true),
        m if matches!(
            u32::from_le_bytes([m[0], m[1], m[2], m[3]]),
            0xa1b2_c3d4 | 0xa1b2_3c4d | 0xd4c3_b2a1 | 0x4d3c_b2a1
        ) =>
        {
            Ok(false)
        }
        [0x34, 0xcd, 0xb2, 0xa1] | [0xa1, 0xb2, 0xcd, 0x34] => Err(CaptureError::Unsupported(
            "the \"modified\" (Kuznetsov) pcap format",
        )),
        _ => Err(CaptureError::NotACapture),
    })
}

/// A classic pcap file header: (its length, the format), or None until it is
/// all there.
fn pcap_header(bytes: &[u8]) -> Result<Option<(usize, Format)>, CaptureError> {
    let (rest, header) = match parse_pcap_header(bytes) {
        Ok(v) => v,
        Err(nom::Err::Incomplete(_)) => return Ok(None),
        Err(_) => return Err(CaptureError::NotACapture),
    };
    let link = header.network.0 as u32;
    if !linktype::ALL.contains(&link) {
        return Err(CaptureError::UnknownLinkType(link));
    }
    if header.snaplen > MAX_SNAPLEN {
        return Err(CaptureError::AbsurdSnaplen(header.snaplen));
    }
    let frac_per_s: i64 = if header.is_nanosecond_precision() {
        1_000_000_000
    } else {
        1_000_000
    };
    Ok(Some((
        bytes.len() - rest.len(),
        Format::Pcap {
            link,
            frac_per_s,
            big: header.is_bigendian(),
        },
    )))
}

/// Parses the complete records of `bytes` (at `offset` in the file); returns
/// how many bytes are left (a record the next piece completes).
fn pcap_records(
    bytes: &[u8],
    offset: usize,
    link: u32,
    frac_per_s: i64,
    big: bool,
    b: &mut Builder,
) -> Result<usize, CaptureError> {
    let mut rest = bytes;
    while !rest.is_empty() && b.capture.stopped.is_none() {
        let at = offset + bytes.len() - rest.len();
        let record_caplen = rest.get(8..12).map(|c| {
            let c = [c[0], c[1], c[2], c[3]];
            if big {
                u32::from_be_bytes(c)
            } else {
                u32::from_le_bytes(c)
            }
        });
        if let Some(caplen) = record_caplen {
            if caplen > MAX_SNAPLEN {
                return Err(CaptureError::Malformed {
                    offset: at,
                    what: format!(
                        "a record claims {caplen} captured bytes (at most {MAX_SNAPLEN})"
                    ),
                });
            }
        }
        let parsed = if big {
            parse_pcap_frame_be(rest)
        } else {
            parse_pcap_frame(rest)
        };
        let Some((r, frame)) = next_record(parsed, at)? else {
            break;
        };
        rest = r;
        let t_us =
            i64::from(frame.ts_sec) * 1_000_000 + i64::from(frame.ts_usec) * 1_000_000 / frac_per_s;
        b.frame(link, 0, t_us, frame.data)?;
    }
    Ok(rest.len())
}

/// A parsed record or block, `None` where the bytes stop inside one (the next
/// piece may complete it; at the end of the file the capture is marked
/// `cut_short`), or the error that says where it is damaged.
fn next_record<'a, T>(
    parsed: nom::IResult<&'a [u8], T, PcapError<&'a [u8]>>,
    offset: usize,
) -> Result<Option<(&'a [u8], T)>, CaptureError> {
    match parsed {
        Ok(v) => Ok(Some(v)),
        Err(nom::Err::Incomplete(_)) => Ok(None),
        Err(e) => Err(CaptureError::Malformed {
            offset,
            what: describe(&e),
        }),
    }
}

/// One interface of a pcapng section.
struct Interface {
    link: u32,
    snaplen: u32,
    /// Timestamp units per second.
    units_per_s: u64,
    offset_s: i64,
    /// Numbered across sections.
    global: u32,
}

/// Largest pcapng block read: a frame of [`MAX_SNAPLEN`] bytes and its options.
const MAX_BLOCK: u32 = 2 * MAX_SNAPLEN;

/// A block claiming more than [`MAX_BLOCK`] bytes is damaged (and would
/// otherwise be waited for to the end of the file).
fn block_length_ok(bytes: &[u8], big: bool, offset: usize) -> Result<(), CaptureError> {
    let Some(l) = bytes.get(4..8) else {
        return Ok(());
    };
    let l = [l[0], l[1], l[2], l[3]];
    let len = if big {
        u32::from_be_bytes(l)
    } else {
        u32::from_le_bytes(l)
    };
    if len > MAX_BLOCK {
        return Err(CaptureError::Malformed {
            offset,
            what: format!("a block claims {len} bytes (at most {MAX_BLOCK})"),
        });
    }
    Ok(())
}

fn pcapng_header(bytes: &[u8]) -> Result<Option<(usize, Format)>, CaptureError> {
    // The byte-order magic follows the block length.
    let big = bytes.get(8..12) == Some(&[0x1a, 0x2b, 0x3c, 0x4d]);
    if bytes.len() >= 12 {
        block_length_ok(bytes, big, 0)?;
    }
    let rest = match parse_sectionheaderblock(bytes) {
        Ok((r, _)) => r,
        Err(nom::Err::Incomplete(_)) => return Ok(None),
        Err(e) => {
            return Err(CaptureError::Malformed {
                offset: 0,
                what: format!("bad pcapng section header: {}", describe(&e)),
            })
        }
    };
    Ok(Some((
        bytes.len() - rest.len(),
        Format::Pcapng {
            // The first section's byte order: the SHB's byte-order magic.
            big,
            interfaces: Vec::new(),
            next_global: 0,
        },
    )))
}

fn pcapng_blocks(
    bytes: &[u8],
    offset: usize,
    big: &mut bool,
    interfaces: &mut Vec<Interface>,
    next_global: &mut u32,
    b: &mut Builder,
) -> Result<usize, CaptureError> {
    let mut rest = bytes;
    while !rest.is_empty() && b.capture.stopped.is_none() {
        let at = offset + bytes.len() - rest.len();
        block_length_ok(rest, *big, at)?;
        let parsed = if *big {
            parse_block_be(rest)
        } else {
            parse_block_le(rest)
        };
        let Some((r, block)) = next_record(parsed, at)? else {
            break;
        };
        rest = r;
        match block {
            Block::SectionHeader(shb) => {
                *big = shb.big_endian();
                interfaces.clear();
            }
            Block::InterfaceDescription(idb) => {
                if idb.snaplen > MAX_SNAPLEN {
                    return Err(CaptureError::AbsurdSnaplen(idb.snaplen));
                }
                let Some(units_per_s) = idb.ts_resolution().filter(|&u| u > 0) else {
                    return Err(CaptureError::Malformed {
                        offset: at,
                        what: format!("interface timestamp resolution {:#x}", idb.if_tsresol),
                    });
                };
                interfaces.push(Interface {
                    link: idb.linktype.0 as u32,
                    snaplen: idb.snaplen,
                    units_per_s,
                    offset_s: idb.if_tsoffset,
                    global: *next_global,
                });
                *next_global = next_global.saturating_add(1);
            }
            Block::EnhancedPacket(epb) => {
                let Some(ifc) = interfaces.get(epb.if_id as usize) else {
                    b.count_frame()?;
                    b.capture.unparsable += 1;
                    continue;
                };
                let caplen = (epb.caplen as usize).min(epb.data.len());
                let ts = (u128::from(epb.ts_high) << 32) | u128::from(epb.ts_low);
                let us = ts * 1_000_000 / u128::from(ifc.units_per_s);
                let t_us = i64::try_from(us)
                    .ok()
                    .and_then(|us| us.checked_add(ifc.offset_s.checked_mul(1_000_000)?));
                let Some(t_us) = t_us else {
                    b.count_frame()?;
                    b.capture.unparsable += 1;
                    continue;
                };
                let (link, global) = (ifc.link, ifc.global);
                b.frame(link, global, t_us, &epb.data[..caplen])?;
            }
            Block::SimplePacket(spb) => {
                // An SPB belongs to interface 0 and has no timestamp.
                let Some(ifc) = interfaces.first() else {
                    b.count_frame()?;
                    b.capture.unparsable += 1;
                    continue;
                };
                let mut len = (spb.origlen as usize).min(spb.data.len());
                if ifc.snaplen > 0 {
                    len = len.min(ifc.snaplen as usize);
                }
                let (link, global) = (ifc.link, ifc.global);
                b.frame(link, global, 0, &spb.data[..len])?;
            }
            _ => {}
        }
    }
    Ok(rest.len())
}

fn describe(e: &nom::Err<PcapError<&[u8]>>) -> String {
    match e {
        nom::Err::Incomplete(_) => "cut short".to_string(),
        nom::Err::Error(e) | nom::Err::Failure(e) => match e {
            PcapError::HeaderNotRecognized => "header not recognized".to_string(),
            PcapError::NomError(_, kind) | PcapError::OwnedNomError(_, kind) => {
                format!("unparsable block ({kind:?})")
            }
            PcapError::BufferTooSmall => "block larger than the file".to_string(),
            PcapError::UnexpectedEof | PcapError::Eof => "unexpected end".to_string(),
            other => format!("{other:?}"),
        },
    }
}

/// An incarnation still open on its 4-tuple.
struct Open {
    conn: usize,
    last_us: i64,
    incarnations: u32,
    /// The sender and sequence number of the SYN that opened it.
    syn: Option<(SocketAddr, u32)>,
}

#[derive(Default)]
struct Builder {
    capture: Capture,
    /// A link type seen but not decoded (pcapng interfaces).
    unknown_link: Option<u32>,
    limits: Limits,
    /// Each 4-tuple's current incarnation (connections are split as the
    /// packets come, so no pass over them all is left for the end).
    open: HashMap<(SocketAddr, SocketAddr), Open>,
    /// Each connection's first SYN: (source, destination, with ACK).
    first_syn: Vec<Option<(SocketAddr, SocketAddr, bool)>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::strict()
    }
}

/// A frame the strict parser refused, parsed again leniently: with
/// etherparse's [`LaxSlicedPacket`], a frame cut short by the snap length
/// keeps its headers.
fn lax_slice(link: u32, data: &[u8]) -> Option<LaxSlicedPacket<'_>> {
    match link {
        linktype::ETHERNET => LaxSlicedPacket::from_ethernet(data).ok(),
        // Linux cooked: 16 bytes (SLL, protocol last) or 20 (SLL2, first).
        linktype::LINUX_SLL => data.get(..16).map(|h| {
            LaxSlicedPacket::from_ether_type(
                EtherType(u16::from_be_bytes([h[14], h[15]])),
                &data[16..],
            )
        }),
        linktype::LINUX_SLL2 => data.get(..20).map(|h| {
            LaxSlicedPacket::from_ether_type(
                EtherType(u16::from_be_bytes([h[0], h[1]])),
                &data[20..],
            )
        }),
        linktype::RAW | linktype::IPV4 | linktype::IPV6 => LaxSlicedPacket::from_ip(data).ok(),
        linktype::NULL | linktype::LOOP => LaxSlicedPacket::from_ip(data.get(4..)?).ok(),
        _ => None,
    }
}

/// The addresses, TCP header and payload length (as the IP header gives it)
/// of a TCP segment whose payload the capture cut short. `None` when the TCP
/// header itself is incomplete, or the IP payload is not cut (the frame is
/// broken some other way), or is a fragment.
fn truncated_tcp<'a>(
    p: &'a LaxSlicedPacket<'a>,
) -> Option<(IpAddr, IpAddr, &'a TcpSlice<'a>, u32)> {
    let Some(TransportSlice::Tcp(tcp)) = &p.transport else {
        return None;
    };
    let (src, dst, ip_payload, payload): (IpAddr, IpAddr, usize, _) = match p.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) => {
            let h = ip.header();
            let claimed = usize::from(h.total_len()).checked_sub(
                h.slice().len() + ip.extensions().auth.map_or(0, |a| a.slice().len()),
            )?;
            (
                h.source_addr().into(),
                h.destination_addr().into(),
                claimed,
                ip.payload(),
            )
        }
        LaxNetSlice::Ipv6(ip) => {
            let h = ip.header();
            let claimed =
                usize::from(h.payload_length()).checked_sub(ip.extensions().slice().len())?;
            (
                h.source_addr().into(),
                h.destination_addr().into(),
                claimed,
                ip.payload(),
            )
        }
        _ => return None,
    };
    if !payload.incomplete || payload.fragmented {
        return None;
    }
    let len = ip_payload.checked_sub(tcp.header_len())?;
    Some((src, dst, tcp, u32::try_from(len).ok()?))
}

impl Builder {
    fn count_frame(&mut self) -> Result<u32, CaptureError> {
        if self.capture.frames >= self.limits.frames {
            if !self.limits.stop {
                return Err(CaptureError::TooManyPackets);
            }
            self.capture.stopped = Some(Stopped::Frames(self.limits.frames));
            return Ok(0);
        }
        self.capture.frames += 1;
        Ok(self.capture.frames)
    }

    fn frame(
        &mut self,
        link: u32,
        interface: u32,
        t_us: i64,
        data: &[u8],
    ) -> Result<(), CaptureError> {
        let frame = self.count_frame()?;
        if self.capture.stopped.is_some() {
            return Ok(());
        }
        // SLL: the packet type is the header's first 16 bits; SLL2: byte 10.
        let direction = match link {
            linktype::LINUX_SLL => data
                .get(..2)
                .and_then(|t| Direction::from_packet_type(u16::from_be_bytes([t[0], t[1]]))),
            linktype::LINUX_SLL2 => data
                .get(10)
                .and_then(|&t| Direction::from_packet_type(u16::from(t))),
            _ => None,
        };
        let sliced = match link {
            linktype::ETHERNET => SlicedPacket::from_ethernet(data),
            linktype::LINUX_SLL => SlicedPacket::from_linux_sll(data),
            linktype::LINUX_SLL2 => match data.get(..20) {
                // Protocol type (an EtherType), reserved, interface index,
                // ARPHRD type, packet type, address length, 8 address bytes.
                Some(h) => SlicedPacket::from_ether_type(
                    EtherType(u16::from_be_bytes([h[0], h[1]])),
                    &data[20..],
                ),
                None => {
                    self.capture.unparsable += 1;
                    return Ok(());
                }
            },
            linktype::RAW | linktype::IPV4 | linktype::IPV6 => SlicedPacket::from_ip(data),
            linktype::NULL | linktype::LOOP => match data.get(4..) {
                Some(ip) => SlicedPacket::from_ip(ip),
                None => {
                    self.capture.unparsable += 1;
                    return Ok(());
                }
            },
            other => {
                self.unknown_link = Some(other);
                self.capture.non_tcp += 1;
                return Ok(());
            }
        };
        let strict;
        let lax;
        let (src_ip, dst_ip, tcp, len) = match &sliced {
            Ok(p) => {
                strict = p;
                let (src_ip, dst_ip): (IpAddr, IpAddr) = match &strict.net {
                    Some(NetSlice::Ipv4(ip)) => (
                        ip.header().source_addr().into(),
                        ip.header().destination_addr().into(),
                    ),
                    Some(NetSlice::Ipv6(ip)) => (
                        ip.header().source_addr().into(),
                        ip.header().destination_addr().into(),
                    ),
                    _ => {
                        self.capture.non_tcp += 1;
                        return Ok(());
                    }
                };
                let Some(TransportSlice::Tcp(tcp)) = &strict.transport else {
                    self.capture.non_tcp += 1;
                    return Ok(());
                };
                (src_ip, dst_ip, tcp, tcp.payload().len() as u32)
            }
            // Cut short: a snap length (`tcpdump -s 96`) keeps the headers and
            // drops most of the payload. The lengths come from the IP header.
            Err(_) => {
                lax = lax_slice(link, data);
                match lax.as_ref().and_then(truncated_tcp) {
                    Some((src_ip, dst_ip, tcp, len)) => (src_ip, dst_ip, tcp, len),
                    None => {
                        self.capture.unparsable += 1;
                        return Ok(());
                    }
                }
            }
        };
        let mut flags = Flags::NONE;
        for (set, flag) in [
            (tcp.fin(), Flags::FIN),
            (tcp.syn(), Flags::SYN),
            (tcp.rst(), Flags::RST),
            (tcp.psh(), Flags::PSH),
            (tcp.ack(), Flags::ACK),
        ] {
            if set {
                flags = flags | flag;
            }
        }
        let mut options = TcpOptions::default();
        for o in tcp.options_iterator() {
            match o {
                Ok(TcpOptionElement::MaximumSegmentSize(m)) => options.mss = Some(m),
                Ok(TcpOptionElement::WindowScale(w)) => options.wscale = Some(w),
                Ok(TcpOptionElement::SelectiveAcknowledgementPermitted) => {
                    options.sack_permitted = true
                }
                Ok(TcpOptionElement::Timestamp(v, e)) => options.ts = Some((v, e)),
                Ok(_) => {}
                // A damaged option list: keep what came before it.
                Err(_) => break,
            }
        }
        let packet = Packet {
            frame,
            t_us,
            interface,
            src: SocketAddr::new(src_ip, tcp.source_port()),
            dst: SocketAddr::new(dst_ip, tcp.destination_port()),
            flags,
            seq: tcp.sequence_number(),
            ack: tcp.acknowledgment_number(),
            len,
            window: tcp.window_size(),
            options,
            direction,
        };
        self.add(packet)
    }

    /// Keeps a packet, in its connection: packets are grouped by 4-tuple,
    /// and a 4-tuple's packets into incarnations: a new one starts with a SYN
    /// (without ACK) after the current one saw a FIN or RST, or with any SYN
    /// after a gap of [`TIME_WAIT_US`], unless it is the SYN that opened the
    /// current one, sent again.
    fn add(&mut self, p: Packet) -> Result<(), CaptureError> {
        let over = |n: usize, max: u32| n >= max as usize;
        if over(self.capture.packets.len(), self.limits.segments) {
            if !self.limits.stop {
                return Err(CaptureError::TooManyPackets);
            }
            self.capture.stopped = Some(Stopped::Segments(self.limits.segments));
            return Ok(());
        }
        let key = if p.src <= p.dst {
            (p.src, p.dst)
        } else {
            (p.dst, p.src)
        };
        let syn = p.flags.contains(Flags::SYN);
        let pure_syn = syn && !p.flags.contains(Flags::ACK);
        let new_conn = match self.open.get(&key) {
            None => Some(1),
            Some(o) => {
                let cur = &self.capture.connections[o.conn];
                let closed = cur.has_fin || cur.has_rst;
                let gap = p.t_us.saturating_sub(o.last_us) >= TIME_WAIT_US;
                // The same SYN again, with no FIN since (retransmitted after
                // a TIME_WAIT answered it with the old connection's ACK and
                // the RST that ACK drew), is the same attempt.
                let resent = o.syn == Some((p.src, p.seq)) && !cur.has_fin;
                (((pure_syn && closed) || (syn && gap)) && !resent).then_some(o.incarnations + 1)
            }
        };
        let conns = &mut self.capture.connections;
        if new_conn.is_some() && over(conns.len(), self.limits.connections) {
            if !self.limits.stop {
                return Err(CaptureError::TooManyPackets);
            }
            self.capture.stopped = Some(Stopped::Connections(self.limits.connections));
            return Ok(());
        }
        if let Some(incarnation) = new_conn {
            conns.push(Connection {
                a: p.src,
                b: p.dst,
                incarnation,
                packets: Vec::new(),
                has_fin: false,
                has_rst: false,
            });
            self.first_syn.push(None);
            let earlier = self.open.get(&key).and_then(|o| o.syn);
            self.open.insert(
                key,
                Open {
                    conn: conns.len() - 1,
                    last_us: p.t_us,
                    incarnations: incarnation,
                    syn: if pure_syn {
                        Some((p.src, p.seq))
                    } else {
                        earlier
                    },
                },
            );
        }
        let o = self.open.get_mut(&key).expect("opened above");
        o.last_us = p.t_us;
        let conn = o.conn;
        let c = &mut conns[conn];
        c.packets.push(self.capture.packets.len() as u32);
        c.has_fin |= p.flags.contains(Flags::FIN);
        c.has_rst |= p.flags.contains(Flags::RST);
        if syn && self.first_syn[conn].is_none() {
            self.first_syn[conn] = Some((p.src, p.dst, p.flags.contains(Flags::ACK)));
        }
        self.capture.packets.push(p);
        Ok(())
    }

    /// Orients each connection: A opened it (sent the first SYN, or received
    /// the first SYN-ACK), else A sent its first packet.
    fn orient_connections(&mut self) {
        for (c, syn) in self.capture.connections.iter_mut().zip(&self.first_syn) {
            let (a, b) = match *syn {
                Some((src, dst, false)) => (src, dst),
                Some((src, dst, true)) => (dst, src),
                None => (c.a, c.b),
            };
            c.a = a;
            c.b = b;
        }
    }
}
