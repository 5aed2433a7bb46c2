//! Hand-built capture files: frames from etherparse's builders, wrapped in the
//! link headers and file formats the reader must understand.

#![allow(dead_code)]

use etherparse::{PacketBuilder, TcpOptionElement};

/// One TCP segment to build.
#[derive(Clone, Copy)]
pub struct Seg {
    pub v6: bool,
    pub from_client: bool,
    pub syn: bool,
    pub ack: Option<u32>,
    pub fin: bool,
    pub rst: bool,
    pub seq: u32,
    pub len: usize,
    pub options: bool,
}

pub const CLIENT4: [u8; 4] = [192, 168, 1, 10];
pub const SERVER4: [u8; 4] = [192, 168, 1, 20];
pub const CLIENT6: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
pub const SERVER6: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
pub const CLIENT_PORT: u16 = 51000;
pub const SERVER_PORT: u16 = 443;

pub const OPTIONS: [TcpOptionElement; 5] = [
    TcpOptionElement::MaximumSegmentSize(1460),
    TcpOptionElement::SelectiveAcknowledgementPermitted,
    TcpOptionElement::Timestamp(1000, 0),
    TcpOptionElement::Noop,
    TcpOptionElement::WindowScale(7),
];

/// The IP packet (no link header) of a segment.
pub fn ip_packet(s: &Seg) -> Vec<u8> {
    let (sp, dp) = if s.from_client {
        (CLIENT_PORT, SERVER_PORT)
    } else {
        (SERVER_PORT, CLIENT_PORT)
    };
    let b = if s.v6 {
        let (a, b) = if s.from_client {
            (CLIENT6, SERVER6)
        } else {
            (SERVER6, CLIENT6)
        };
        PacketBuilder::ipv6(a, b, 64)
    } else {
        let (a, b) = if s.from_client {
            (CLIENT4, SERVER4)
        } else {
            (SERVER4, CLIENT4)
        };
        PacketBuilder::ipv4(a, b, 64)
    };
    let mut t = b.tcp(sp, dp, s.seq, 502);
    if s.syn {
        t = t.syn();
    }
    if let Some(a) = s.ack {
        t = t.ack(a);
    }
    if s.fin {
        t = t.fin();
    }
    if s.rst {
        t = t.rst();
    }
    if s.options {
        t = t.options(&OPTIONS).unwrap();
    }
    let mut out = Vec::new();
    t.write_to_vec(&mut out, &vec![0x61; s.len]).unwrap();
    out
}

/// A three-way handshake, a request, and a close by the client.
pub fn close(v6: bool) -> Vec<Seg> {
    let base = Seg {
        v6,
        from_client: true,
        syn: false,
        ack: None,
        fin: false,
        rst: false,
        seq: 0,
        len: 0,
        options: false,
    };
    let (c, s) = (1_000_000u32, 7_000_000u32);
    vec![
        Seg {
            syn: true,
            seq: c,
            options: true,
            ..base
        },
        Seg {
            from_client: false,
            syn: true,
            seq: s,
            ack: Some(c + 1),
            options: true,
            ..base
        },
        Seg {
            seq: c + 1,
            ack: Some(s + 1),
            ..base
        },
        Seg {
            seq: c + 1,
            ack: Some(s + 1),
            len: 100,
            ..base
        },
        Seg {
            from_client: false,
            seq: s + 1,
            ack: Some(c + 101),
            ..base
        },
        Seg {
            seq: c + 101,
            ack: Some(s + 1),
            fin: true,
            ..base
        },
        Seg {
            from_client: false,
            seq: s + 1,
            ack: Some(c + 102),
            fin: true,
            ..base
        },
        Seg {
            seq: c + 102,
            ack: Some(s + 2),
            ..base
        },
    ]
}

/// Link types (tcpdump.org/linktypes.html).
pub const ETHERNET: u32 = 1;
pub const NULL: u32 = 0;
pub const RAW: u32 = 101;
pub const LOOP: u32 = 108;
pub const SLL: u32 = 113;
pub const IPV4: u32 = 228;
pub const IPV6: u32 = 229;
pub const SLL2: u32 = 276;

/// Wraps an IP packet in a link header.
pub fn link_frame(link: u32, ip: &[u8]) -> Vec<u8> {
    let v6 = ip[0] >> 4 == 6;
    let ether_type: u16 = if v6 { 0x86dd } else { 0x0800 };
    let mut out = Vec::new();
    match link {
        ETHERNET => {
            out.extend_from_slice(&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
            out.extend_from_slice(&ether_type.to_be_bytes());
        }
        SLL => {
            // Packet type (outgoing), ARPHRD_ETHER, address length, address, protocol.
            out.extend_from_slice(&[0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
            out.extend_from_slice(&ether_type.to_be_bytes());
        }
        SLL2 => {
            out.extend_from_slice(&ether_type.to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, 0, 0, 3, 0, 1, 4, 6]);
            out.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0, 0]);
        }
        NULL => {
            let af: u32 = if v6 { 10 } else { 2 };
            out.extend_from_slice(&af.to_le_bytes());
        }
        LOOP => {
            let af: u32 = if v6 { 24 } else { 2 };
            out.extend_from_slice(&af.to_be_bytes());
        }
        RAW | IPV4 | IPV6 => {}
        other => panic!("no link header for {other}"),
    }
    out.extend_from_slice(ip);
    out
}

/// A classic pcap file: `(t_us, frame)` records.
pub fn pcap(link: u32, big: bool, nanos: bool, frames: &[(i64, Vec<u8>)]) -> Vec<u8> {
    let w32 = |out: &mut Vec<u8>, v: u32| {
        out.extend_from_slice(&if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        })
    };
    let w16 = |out: &mut Vec<u8>, v: u16| {
        out.extend_from_slice(&if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        })
    };
    let mut out = Vec::new();
    w32(&mut out, if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 });
    w16(&mut out, 2);
    w16(&mut out, 4);
    w32(&mut out, 0);
    w32(&mut out, 0);
    w32(&mut out, 262_144);
    w32(&mut out, link);
    for (t_us, f) in frames {
        let t = *t_us as u64;
        w32(&mut out, (t / 1_000_000) as u32);
        let frac = (t % 1_000_000) as u32;
        w32(&mut out, if nanos { frac * 1000 + 999 } else { frac });
        w32(&mut out, f.len() as u32);
        w32(&mut out, f.len() as u32);
        out.extend_from_slice(f);
    }
    out
}

/// A pcapng writer, one section, either byte order.
pub struct PcapNg {
    pub big: bool,
    pub out: Vec<u8>,
}

impl PcapNg {
    pub fn new(big: bool) -> PcapNg {
        let mut w = PcapNg {
            big,
            out: Vec::new(),
        };
        w.section();
        w
    }
    fn u32(&self, v: u32) -> [u8; 4] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn u16(&self, v: u16) -> [u8; 2] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
    fn block(&mut self, kind: u32, body: &[u8]) {
        let mut body = body.to_vec();
        while body.len() & 3 != 0 {
            body.push(0);
        }
        let len = 12 + body.len() as u32;
        let (k, l) = (self.u32(kind), self.u32(len));
        self.out.extend_from_slice(&k);
        self.out.extend_from_slice(&l);
        self.out.extend_from_slice(&body);
        self.out.extend_from_slice(&l);
    }
    /// A new section header block (interfaces start again from 0).
    pub fn section(&mut self) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32(0x1a2b_3c4d));
        body.extend_from_slice(&self.u16(1));
        body.extend_from_slice(&self.u16(0));
        body.extend_from_slice(&[0xff; 8]); // section length: unknown
        self.block(0x0a0d_0d0a, &body);
    }
    /// An interface; `tsresol` as in if_tsresol (6 = µs, 9 = ns).
    pub fn interface(&mut self, link: u16, tsresol: u8) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u16(link));
        body.extend_from_slice(&self.u16(0));
        body.extend_from_slice(&self.u32(262_144));
        body.extend_from_slice(&self.u16(9)); // if_tsresol
        body.extend_from_slice(&self.u16(1));
        body.extend_from_slice(&[tsresol, 0, 0, 0]);
        body.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        self.block(1, &body);
    }
    /// An enhanced packet block; `ts` in the interface's units.
    pub fn epb(&mut self, if_id: u32, ts: u64, frame: &[u8]) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32(if_id));
        body.extend_from_slice(&self.u32((ts >> 32) as u32));
        body.extend_from_slice(&self.u32(ts as u32));
        body.extend_from_slice(&self.u32(frame.len() as u32));
        body.extend_from_slice(&self.u32(frame.len() as u32));
        body.extend_from_slice(frame);
        self.block(6, &body);
    }
    /// A simple packet block (interface 0, no timestamp).
    pub fn spb(&mut self, frame: &[u8]) {
        let mut body = Vec::new();
        body.extend_from_slice(&self.u32(frame.len() as u32));
        body.extend_from_slice(frame);
        self.block(3, &body);
    }
}
