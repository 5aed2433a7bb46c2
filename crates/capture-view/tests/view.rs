//! The capture view's words and markup, for the simulator's own captures,
//! captures taken on one host, and bad files.

use farewell_capture::{read, Limits, MAX_PACKETS};
use farewell_capture_view::*;
use farewell_engine::trace::{EventKind, Fate, TraceEvent};
use farewell_engine::{builtin, simulate, Host, Platform, Scenario, Trace};

fn pcap_of(id: &str, handshake: bool) -> (Scenario, Vec<u8>) {
    let mut s = builtin::get(id).unwrap();
    s.handshake |= handshake;
    let bytes = farewell_export::pcap(&simulate(&s), &s).unwrap();
    (s, bytes)
}

fn load(name: &str, bytes: &[u8]) -> Result<Loaded, String> {
    let mut l = Loading::new(name, bytes.len() as f64);
    let mut slices = 0;
    while let Some((a, b)) = l.next_slice() {
        l.push(&bytes[a as usize..b as usize])?;
        slices += 1;
        assert!(slices <= bytes.len() / PIECE_BYTES + 1);
    }
    assert!(l.fraction() == 1.0 || l.progress_text().contains("frames"));
    l.finish()
}

/// The page's markup parses as XML (so as HTML), with the diagram inside.
fn parse(html: &str) -> String {
    let doc = format!("<div>{html}</div>");
    roxmltree::Document::parse(&doc).unwrap_or_else(|e| panic!("{e}"));
    doc
}

/// What tcpdump on `host` would record (as in the capture crate's tests).
fn capture_at(trace: &Trace, host: Host) -> Trace {
    let mut events: Vec<TraceEvent> = Vec::new();
    for (t_ms, s) in trace.segments() {
        if s.from == host {
            if !s.duplicate {
                events.push(TraceEvent {
                    t_ms,
                    kind: EventKind::Segment(s.clone()),
                });
            }
        } else if s.fate == Fate::Delivered {
            events.push(TraceEvent {
                t_ms: s.arrive_ms.unwrap(),
                kind: EventKind::Segment(s.clone()),
            });
        }
    }
    events.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    Trace { events }
}

#[test]
fn a_builtins_capture_is_drawn_narrated_and_logged_with_its_frames() {
    let (_, bytes) = pcap_of("fin-lost-twice", true);
    let cap = read(&bytes).unwrap();
    let loaded = load("fin-lost-twice.pcap", &bytes).unwrap();
    assert_eq!(loaded.capture, cap, "read in slices as read whole");
    assert_eq!(loaded.default, 0);
    assert_eq!(
        loaded.summary(),
        "“fin-lost-twice.pcap”: 11 frames, 11 TCP segments in 1 connection."
    );
    assert!(loaded.notes().is_empty());
    let rows = loaded.connection_rows();
    assert_eq!(
        rows,
        vec![(
            0,
            "1. 10.0.0.1:40000 → 10.0.0.2:80: 11 segments, FIN".to_string()
        )]
    );
    let v = loaded.show(0, None).unwrap();
    assert_eq!(v.platform, Platform::Linux);
    // The tcpdump log: every frame, numbered as the capture numbers it.
    let frames: Vec<u32> = v.log.iter().map(|l| l.frame).collect();
    assert_eq!(frames, (1..=11).collect::<Vec<_>>());
    assert!(
        v.log[0]
            .text
            .starts_with("+0.000000 s  A > B: Flags [S], seq 0"),
        "{}",
        v.log[0].text
    );
    let rtx: Vec<u32> = v
        .log
        .iter()
        .filter(|l| l.marks.contains(&"retransmission"))
        .map(|l| l.frame)
        .collect();
    let lost: Vec<u32> = v
        .log
        .iter()
        .filter(|l| l.marks.contains(&"presumed lost"))
        .map(|l| l.frame)
        .collect();
    assert_eq!(rtx, vec![9, 10], "{:?}", v.log);
    assert_eq!(lost, vec![8, 9]);
    assert!(
        v.narration
            .iter()
            .any(|n| n.contains("retransmitted 2 times")),
        "{:?}",
        v.narration
    );
    // The diagram: a frame label on every arrow, retransmissions and losses
    // named in it, inferred bands hatched.
    let html = page_html(&loaded, &v);
    let doc = parse(&html);
    let x = roxmltree::Document::parse(&doc).unwrap();
    let labels: Vec<&str> = x
        .descendants()
        .filter(|n| n.attribute("class") == Some("label"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(labels.len(), 11);
    assert_eq!(labels[0], "#1 SYN seq=0");
    assert_eq!(labels[7], "✕ #8 lost? FIN seq=1 ack=7");
    assert_eq!(labels[8], "✕ #9 retransmission lost? ↻ FIN seq=1 ack=7");
    assert_eq!(labels[9], "#10 retransmission ↻ FIN seq=1 ack=7");
    assert!(labels[10].starts_with("#11 "), "{}", labels[10]);
    // A capture between the hosts (the simulator stamps each segment as it
    // leaves): every state after the first frame is inferred.
    let hatched = x
        .descendants()
        .filter(|n| n.attribute("class") == Some("cv-inferred"))
        .count();
    let bands = x
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("band ")))
        .count();
    assert!(hatched >= 8 && hatched <= bands, "{hatched} of {bands}");
    for text in [
        "Hatched band: an inferred state",
        "Solid band: a state seen",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("data-testid=\"capture-svg\""));
    assert!(!html.contains("click a segment to drop it"));
    // The replay: a scenario the playground's import reads back.
    let s = Scenario::from_json(&v.replay_json).unwrap();
    assert!(s.handshake);
    assert_eq!(s.drops.len(), 1);
    assert_eq!(s.name, "Replay of capture connection 1");
}

#[test]
fn on_the_capture_host_its_own_states_are_solid_and_the_peers_hatched() {
    let (s, _) = pcap_of("normal-close", true);
    let trace = capture_at(&simulate(&s), Host::A);
    let bytes = farewell_export::pcap(&trace, &s).unwrap();
    let loaded = load("on-a.pcap", &bytes).unwrap();
    let v = loaded.show(0, Some(Platform::Linux)).unwrap();
    assert!(v.position.contains("near A"), "{}", v.position);
    assert_eq!(v.stack_note, "Assumed stack: linux (chosen).");
    let doc = parse(&page_html(&loaded, &v));
    let x = roxmltree::Document::parse(&doc).unwrap();
    let hatched: Vec<(&str, &str)> = x
        .descendants()
        .filter(|n| n.attribute("class") == Some("cv-inferred"))
        .map(|n| {
            (
                n.attribute("data-host").unwrap(),
                n.attribute("data-state").unwrap(),
            )
        })
        .collect();
    // B's states are inferred; of A's only what its timers do (TIME_WAIT
    // ending after the capture) is.
    assert!(hatched.contains(&("B", "CLOSE_WAIT")), "{hatched:?}");
    assert!(!hatched.contains(&("A", "FIN_WAIT_1")), "{hatched:?}");
    assert!(!hatched.contains(&("A", "TIME_WAIT")), "{hatched:?}");
}

fn pcap_header() -> Vec<u8> {
    let mut h = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&4u16.to_le_bytes());
    for v in [0u32, 0, 262_144, 1] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h
}

#[test]
fn bad_files_get_a_message_that_says_the_scenario_is_unchanged() {
    let (_, good) = pcap_of("normal-close", false);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "cut.pcap",
            good[..20].to_vec(),
            "the file is cut short: 20 bytes, less than its own file header",
        ),
        (
            "notes.txt",
            b"hello, this is text".to_vec(),
            "not a capture file",
        ),
        ("empty.pcap", Vec::new(), "cut short: 0 bytes"),
        (
            "header-only.pcap",
            pcap_header(),
            "has no TCP segments (0 frames read)",
        ),
        (
            "udp.pcap",
            {
                // Every frame's IPv4 protocol made UDP (17).
                let mut b = good.clone();
                let mut at = 24;
                while at + 16 <= b.len() {
                    let caplen =
                        u32::from_le_bytes(b[at + 8..at + 12].try_into().unwrap()) as usize;
                    b[at + 16 + 14 + 9] = 17;
                    at += 16 + caplen;
                }
                b
            },
            "has no TCP segments (6 frames read)",
        ),
    ];
    for (name, bytes, want) in cases {
        let err = load(name, &bytes)
            .err()
            .unwrap_or_else(|| panic!("{name} was read"));
        assert!(err.contains(want), "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        assert!(err.ends_with(UNCHANGED), "{name}: {err}");
        let html = message_html(&err);
        parse(&html);
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("data-cv=\"back\""));
    }
}

#[test]
fn only_a_syn_and_a_file_cut_short_are_shown_with_what_they_lack() {
    let (_, bytes) = pcap_of("normal-close", true);
    let first_record = 24 + 16 + u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
    let loaded = load("syn.pcap", &bytes[..first_record]).unwrap();
    let v = loaded.show(0, None).unwrap();
    assert_eq!(v.log.len(), 1);
    assert!(
        v.narration.iter().any(|n| n.contains("SYN")),
        "{:?}",
        v.narration
    );
    parse(&page_html(&loaded, &v));
    let loaded = load("cut.pcap", &bytes[..first_record + 30]).unwrap();
    assert!(
        loaded.notes()[0].contains("ends in the middle of a frame"),
        "{:?}",
        loaded.notes()
    );
}

/// A capture of `n` segments on one connection: a built-in's frames again
/// and again (no SYN, so no new incarnation).
fn long_capture(id: &str, n: usize) -> Vec<u8> {
    let (_, bytes) = pcap_of(id, false);
    let mut records = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let caplen = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        records.push(bytes[at..at + 16 + caplen].to_vec());
        at += 16 + caplen;
    }
    let mut out = bytes[..24].to_vec();
    for i in 0..n {
        let mut r = records[i % records.len()].clone();
        // 10 µs apart.
        let t = i as u64 * 10;
        r[0..4].copy_from_slice(&((t / 1_000_000) as u32).to_le_bytes());
        r[4..8].copy_from_slice(&((t % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&r);
    }
    out
}

#[test]
fn a_big_capture_is_read_up_to_the_limits_and_says_so() {
    let limit = Limits::bounded().segments as usize;
    let bytes = long_capture("normal-close", limit + 5_000);
    let start = std::time::Instant::now();
    let loaded = load("big.pcap", &bytes).unwrap();
    let read_s = start.elapsed().as_secs_f64();
    assert_eq!(loaded.capture.packets.len(), limit);
    let notes = loaded.notes();
    assert!(
        notes[0].contains("only the first 200000 TCP segments were read"),
        "{notes:?}"
    );
    let start = std::time::Instant::now();
    let v = loaded.show(0, None).unwrap();
    let show_s = start.elapsed().as_secs_f64();
    assert_eq!(v.log.len(), MAX_SHOWN_SEGMENTS);
    assert!(
        v.notes[0].contains(
            "Only the last 100 of this connection's 200,000 segments (from frame 199901)"
        ),
        "{:?}",
        v.notes
    );
    eprintln!(
        "read {} frames in {read_s:.3} s ({:.0} frames/s, this build); showing 100 took {show_s:.3} s",
        limit,
        limit as f64 / read_s
    );
    assert!(MAX_PACKETS as usize > limit);
    // Every segment after the first few a retransmission of one before.
    let loaded = load("rtx.pcap", &long_capture("fin-lost-twice", 2_000)).unwrap();
    let start = std::time::Instant::now();
    let v = loaded.show(0, None).unwrap();
    eprintln!(
        "100 segments, nearly all retransmissions: shown in {:.3} s",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(v.log.len(), MAX_SHOWN_SEGMENTS);
}

#[test]
fn numbers_and_names_are_shown_briefly() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
    let mut l = Loading::new(&"x".repeat(200), 3e8);
    assert!(
        l.progress_text().contains("0.0 MB of 300.0 MB, 0 frames"),
        "{}",
        l.progress_text()
    );
    assert!(l.progress_text().contains('…'));
    assert_eq!(l.next_slice(), Some((0.0, PIECE_BYTES as f64)));
    l.push(&pcap_header()).unwrap();
    assert_eq!(l.next_slice().unwrap().0, 24.0);
    let html = progress_html(&l);
    parse(&html);
    assert!(html.contains("role=\"status\""));
    // The reading can be cancelled while it runs.
    assert!(html.contains(r#"data-cv="cancel""#), "{html}");
    // What the page shows before the worker's first report: the same.
    let start = progress_start_html(&"x".repeat(200), 3e8);
    assert_eq!(start, progress_html(&Loading::new(&"x".repeat(200), 3e8)));
}

#[test]
fn the_diagram_downloads_as_a_file_of_its_own_in_either_theme() {
    use farewell_diagram::Theme;
    let (_, bytes) = pcap_of("fin-lost-twice", true);
    let loaded = load("fin lost/twice.pcap", &bytes).unwrap();
    let v = loaded.show(0, None).unwrap();
    assert_eq!(v.file_name, "capture-fin-lost-twice-connection-1.svg");
    let html = page_html(&loaded, &v);
    assert!(
        html.contains(r#"data-cv="svg""#),
        "the view offers the download"
    );
    let inline_marks = v.svg.matches(r#"class="cv-inferred""#).count();
    assert!(inline_marks >= 8);
    let mut files = Vec::new();
    for theme in [Theme::Light, Theme::Dark] {
        let svg = v.file_svg(theme);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        // Its own colours, resolved: no page stylesheet to lean on.
        assert!(!svg.contains("var(--"), "{theme:?}: an unresolved colour");
        assert!(svg.contains(".cv-hatch-line{stroke:#fff"), "{theme:?}");
        // The same marks and frame labels as the view draws.
        assert_eq!(svg.matches(r#"class="cv-inferred""#).count(), inline_marks);
        assert!(svg.contains("#9 retransmission lost?"), "{theme:?}");
        assert!(svg.contains("<title>“fin lost/twice.pcap”, connection 1</title>"));
        files.push(svg);
    }
    assert_ne!(files[0], files[1], "each theme has its colours");
    // The page puts the diagram in its box in a task of its own: the shell
    // is the whole page less the diagram.
    let shell = page_shell_html(&loaded, &v);
    parse(&shell);
    assert!(!shell.contains("capture-svg"));
    assert_eq!(
        shell.replace(
            r#"aria-busy="true"></div>"#,
            &format!(r#"aria-busy="false">{}</div>"#, v.svg)
        ),
        html
    );
    // A name with nothing usable in it still makes a file name.
    let odd = load("…", &bytes).unwrap().show(0, None).unwrap();
    assert_eq!(odd.file_name, "capture-file-connection-1.svg");
}

#[test]
fn thousands_of_connections_list_the_first_ones_and_a_number_reaches_any() {
    // The same close on 250 client ports: 250 connections.
    let (_, one) = pcap_of("fin-lost-twice", true);
    let mut bytes = one[..24].to_vec();
    for k in 0..250u16 {
        let mut at = 24;
        while at + 16 <= one.len() {
            let len = u32::from_le_bytes(one[at + 8..at + 12].try_into().unwrap()) as usize;
            let mut rec = one[at..at + 16 + len].to_vec();
            // Ethernet, IPv4 (20 bytes): the ports at 34 and 36; A's is 40000.
            let port = 40000 + k;
            for off in [16 + 34, 16 + 36] {
                if u16::from_be_bytes([rec[off], rec[off + 1]]) == 40000 {
                    rec[off..off + 2].copy_from_slice(&port.to_be_bytes());
                }
            }
            bytes.extend_from_slice(&rec);
            at += 16 + len;
        }
    }
    let loaded = load("many.pcap", &bytes).unwrap();
    assert_eq!(loaded.capture.connections.len(), 250);
    let options = |html: &str| html.matches("<option value=").count();
    let v = loaded.show(0, None).unwrap();
    let html = page_html(&loaded, &v);
    parse(&html);
    // The list, the platform picker's six, and the number field.
    assert_eq!(options(&html), MAX_LISTED + Platform::ALL.len());
    assert!(html.contains(r#"data-cv="conn-number""#) && html.contains(r#"max="250" value="1"/>"#));
    assert!(html.contains("The list shows the first 100 of 250 connections."));
    // One beyond the list, reached by its number, is listed too, selected.
    let v = loaded.show(199, None).unwrap();
    let html = page_html(&loaded, &v);
    assert_eq!(options(&html), MAX_LISTED + 1 + Platform::ALL.len());
    assert!(
        html.contains(r#"<option value="199" selected="">200. 10.0.0.1:40199"#),
        "{html}"
    );
    assert_eq!(loaded.listed_rows(199).last().unwrap().0, 199);
    assert_eq!(loaded.listed_rows(5).len(), MAX_LISTED);
    // A capture with few connections has no number field.
    let (_, small) = pcap_of("fin-lost-twice", true);
    let loaded = load("one.pcap", &small).unwrap();
    let html = page_html(&loaded, &loaded.show(0, None).unwrap());
    assert!(!html.contains("conn-number"));
}
