//! Long property tests (issue 9, item 5): [`decode`] on arbitrary text, on
//! mutated links and on arbitrary bytes inside `c`; the DEFLATE reader
//! (private, so reached through `c=z…`) against miniz_oxide and at its output
//! limit; the JSON reader and the validator behind `c`; `decode(encode(f)) ==
//! f`; and every input of the hostile corpus in `tests/hostile_corpus/` (its
//! README.md says what each file is and what must happen).
//!
//! What every outcome must satisfy is in [`checked_decode`]: no panic, an
//! answer within [`MAX_DECODE_TIME`], an error message of at most
//! [`MAX_MESSAGE`] bytes on one line, and an accepted link's scenario valid and
//! simulated to its end event within the work budget.
//!
//! Case counts come from [`cases`]: modest by default, 50 times more with
//! `FAREWELL_EXHAUSTIVE=1` (`cargo xtask test --exhaustive`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use farewell_engine::budget::{MAX_SEND_BYTES, MAX_TOTAL_SEND_BYTES};
use farewell_engine::scenario::{HostConfig, MAX_MS};
use farewell_engine::{
    builtin, simulate, Action, Do, DropRule, DuplicateRule, Host, Platform, Scenario, SegmentKind,
    Tunables,
};
use farewell_share::{
    decode, encode, ignored_keys, Controls, Embed, Fragment, ShareError, Speed, MAX_FRAGMENT_LEN,
    MAX_JSON_LEN,
};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `default` cases, or 50 times as many with `FAREWELL_EXHAUSTIVE=1`.
fn cases(default: u32) -> u32 {
    if std::env::var("FAREWELL_EXHAUSTIVE").is_ok_and(|v| v == "1") {
        default * 50
    } else {
        default
    }
}

fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        ..ProptestConfig::default()
    }
}

/// Longest error message a link may cause, in bytes, whatever its size.
const MAX_MESSAGE: usize = 500;
/// Longest a debug-build `decode` may take (it takes well under 100 ms; this
/// catches hangs and runaway work, not slowness).
const MAX_DECODE_TIME: Duration = Duration::from_secs(3);

/// The keys of the format (an error names one of them, or none).
const KEYS: [&str; 15] = [
    "s", "c", "p", "msl", "d", "loss", "seed", "hs", "drop", "t", "v", "fit", "embed", "controls",
    "autoplay",
];

/// The start of a long text, for failure messages.
fn short(text: &str) -> String {
    let head: String = text.chars().take(160).collect();
    if head.len() < text.len() {
        format!("{head:?}… ({} bytes)", text.len())
    } else {
        format!("{head:?}")
    }
}

fn c_plain(json: &str) -> String {
    format!("c=j{}", URL_SAFE_NO_PAD.encode(json))
}

fn c_deflated(bytes: &[u8], level: u8) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(bytes, level);
    format!("c=z{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Decodes `link` and checks what every outcome must satisfy.
fn checked_decode(link: &str) -> Result<Result<Fragment, ShareError>, TestCaseError> {
    let start = Instant::now();
    let result = decode(link);
    let took = start.elapsed();
    prop_assert!(
        took <= MAX_DECODE_TIME,
        "decode took {:?}: {}",
        took,
        short(link)
    );
    match &result {
        Err(e) => check_error(e, link)?,
        Ok(f) => check_accepted(f, link)?,
    }
    Ok(result)
}

/// [`checked_decode`], for when only the checks matter.
fn check(link: &str) -> Result<(), TestCaseError> {
    checked_decode(link).map(drop)
}

fn check_error(e: &ShareError, link: &str) -> Result<(), TestCaseError> {
    let m = &e.message;
    prop_assert!(!m.is_empty(), "empty message for {}", short(link));
    let (size, unit) = (m.len(), "byte");
    prop_assert!(
        size <= MAX_MESSAGE,
        "a {}-{} message: {}\nfor the link {}",
        size,
        unit,
        short(m),
        short(link)
    );
    prop_assert!(
        !m.chars().any(char::is_control),
        "control characters in {:?} for {}",
        m,
        short(link)
    );
    prop_assert!(
        e.key.is_empty() || KEYS.contains(&e.key.as_str()),
        "key {:?} for {}",
        e.key,
        short(link)
    );
    prop_assert_eq!(&e.to_string(), m);
    Ok(())
}

fn check_accepted(f: &Fragment, link: &str) -> Result<(), TestCaseError> {
    if let Err(e) = f.scenario.validate() {
        return Err(TestCaseError::fail(format!(
            "{} was accepted with an invalid scenario: {e}",
            short(link)
        )));
    }
    prop_assert!(
        (0.0..=MAX_MS).contains(&f.time_ms),
        "t = {} for {}",
        f.time_ms,
        short(link)
    );
    check_simulates(&f.scenario, link)?;
    // Written again, it reads back: exactly when nothing travels in `c`
    // (whose numbers are exact only under the 15-digit rule of the docs).
    let again = encode(f);
    match decode(&again) {
        Ok(back) => {
            if !again.split('&').any(|p| p.starts_with("c=")) {
                prop_assert_eq!(&back, f, "{} re-encoded as {}", short(link), short(&again));
            }
        }
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "{} was accepted, but its re-encoding {} is refused: {e}",
                short(link),
                short(&again)
            )))
        }
    }
    Ok(())
}

/// The scenario runs to its end event within the work budget.
fn check_simulates(s: &Scenario, what: &str) -> Result<(), TestCaseError> {
    let result = farewell_engine::budget::check_trace(&simulate(s));
    prop_assert!(result.is_ok(), "{:?} for {}", result, short(what));
    Ok(())
}

// ---------------------------------------------------------------------------
// Fragments: built-ins with random edits, valid or not.

fn host() -> impl Strategy<Value = Host> {
    select(vec![Host::A, Host::B])
}

/// Milliseconds as a person types them: at most 15 significant digits, 0 or
/// at least 10⁻⁷ (exact through the JSON in `c`), sometimes out of range.
fn typed_ms() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => (0u32..100_000).prop_map(f64::from),
        8 => (0u64..1_000_000_000_000_000, 7i32..=15)
            .prop_map(|(digits, scale)| format!("{digits}e-{scale}").parse::<f64>().unwrap()),
        1 => Just(MAX_MS),
        1 => Just(MAX_MS + 1.0),
        1 => Just(-1.0),
    ]
}

/// Any finite value from its bits (subnormals included), for the short
/// parameters, which are exact for every `f64`; sometimes out of range.
fn any_ms() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (0..=MAX_MS.to_bits()).prop_map(f64::from_bits),
        4 => 0.0..=MAX_MS,
        1 => Just(0.0),
        1 => Just(MAX_MS + 1.0),
    ]
}

fn action() -> BoxedStrategy<Action> {
    let what = select(vec![
        Do::Send,
        Do::Send,
        Do::Close,
        Do::ShutdownWrite,
        Do::Abort,
        Do::Connect,
    ]);
    let bytes = prop_oneof![
        10 => 1u32..3000,
        1 => Just(MAX_SEND_BYTES),
        1 => Just(0u32),
        1 => Just(MAX_SEND_BYTES + 1),
    ];
    // `quirk` 0 gives both times or neither, 1 bytes where they don't belong
    // (or none for a send): mistakes the validator must catch.
    (host(), typed_ms(), any::<bool>(), what, bytes, 0u8..24)
        .prop_map(|(host, t, eof, what, bytes, quirk)| {
            let (at_ms, after_eof_ms) = match (quirk, eof) {
                (0, true) => (Some(t), Some(t)),
                (0, false) => (None, None),
                (_, true) => (None, Some(t)),
                (_, false) => (Some(t), None),
            };
            let sends = what == Do::Send;
            Action {
                at_ms,
                after_eof_ms,
                host,
                what,
                bytes: (sends != (quirk == 1)).then_some(bytes),
            }
        })
        .boxed()
}

fn drop_rule() -> BoxedStrategy<DropRule> {
    (
        host(),
        select(SegmentKind::ALL.to_vec()),
        any_ms(),
        prop_oneof![Just(1u32), 0u32..5, Just(u32::MAX)],
        prop_oneof![Just(1u32), 0u32..5, Just(u32::MAX)],
    )
        .prop_map(|(from, kind, after_ms, nth, count)| DropRule {
            from,
            kind,
            after_ms,
            nth,
            count,
        })
        .boxed()
}

fn duplicate_rule() -> BoxedStrategy<DuplicateRule> {
    (
        host(),
        select(SegmentKind::ALL.to_vec()),
        typed_ms(),
        prop_oneof![Just(1u32), 0u32..5],
        typed_ms(),
    )
        .prop_map(
            |(from, kind, after_ms, nth, extra_delay_ms)| DuplicateRule {
                from,
                kind,
                after_ms,
                nth,
                extra_delay_ms,
            },
        )
        .boxed()
}

fn host_config() -> BoxedStrategy<HostConfig> {
    (
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(any::<u32>(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(app_reads, listen, isn, bind)| HostConfig {
            app_reads,
            listen,
            isn,
            bind,
        })
        .boxed()
}

fn tunables() -> BoxedStrategy<Tunables> {
    let ms = || proptest::option::of(typed_ms());
    let retries = || proptest::option::of(prop_oneof![0u32..20, 250u32..260]);
    (
        (ms(), ms(), ms(), ms()),
        (ms(), ms(), ms()),
        (
            retries(),
            retries(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (msl_ms, time_wait_ms, fin_timeout_ms, rto_initial_ms),
                (rto_min_ms, rto_max_ms, delayed_ack_ms),
                (max_retries, orphan_retries, rfc1337, timestamps),
            )| Tunables {
                msl_ms,
                time_wait_ms,
                fin_timeout_ms,
                rto_initial_ms,
                rto_min_ms,
                rto_max_ms,
                delayed_ack_ms,
                max_retries,
                orphan_retries,
                rfc1337,
                timestamps,
                ..Tunables::default()
            },
        )
        .boxed()
}

/// Text as people (and pages) put it in names: any characters, quotes,
/// backslashes and control characters included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof!["(?s).{0,24}", "[\"`\\\\\u{0}-\u{1f}<>&%#=é✕ a]{0,12}",]
}

/// Edits the playground's controls make (the short parameters) and those only
/// `c` carries, each present or not.
#[derive(Clone, Debug)]
struct Edits {
    platform: Option<Platform>,
    msl: Option<Option<f64>>,
    delay: Option<f64>,
    loss: Option<f64>,
    seed: Option<u64>,
    handshake: Option<bool>,
    drops: Option<Vec<DropRule>>,
    name: Option<String>,
    description: Option<String>,
    actions: Option<Vec<Action>>,
    hosts: Option<(HostConfig, HostConfig)>,
    tunables: Option<Tunables>,
    duplicates: Option<Vec<DuplicateRule>>,
    time_limit: Option<Option<f64>>,
}

fn edits() -> BoxedStrategy<Edits> {
    use proptest::collection::vec;
    use proptest::option::of;
    (
        (
            of(select(Platform::ALL.to_vec())),
            of(of(any_ms())),
            of(any_ms()),
            of(prop_oneof![0.0..=1.0, Just(0.05), Just(1.0), Just(1.5)]),
            of(any::<u64>()),
            of(any::<bool>()),
            of(vec(drop_rule(), 0..4)),
        ),
        (
            of(text()),
            of(text()),
            of(vec(action(), 0..7)),
            of((host_config(), host_config())),
            of(tunables()),
            of(vec(duplicate_rule(), 0..3)),
            of(of(typed_ms())),
        ),
    )
        .prop_map(
            |(
                (platform, msl, delay, loss, seed, handshake, drops),
                (name, description, actions, hosts, tunables, duplicates, time_limit),
            )| Edits {
                platform,
                msl,
                delay,
                loss,
                seed,
                handshake,
                drops,
                name,
                description,
                actions,
                hosts,
                tunables,
                duplicates,
                time_limit,
            },
        )
        .boxed()
}

/// A built-in with random edits, possibly with no built-in named (the whole
/// scenario then travels in `c`). Its scenario may not pass `validate`.
fn fragment() -> BoxedStrategy<Fragment> {
    let view = (
        prop_oneof![Just(0.0), any_ms()],
        (
            proptest::option::of(select(Speed::ALL.to_vec())),
            any::<bool>(),
        ),
        (any::<bool>(), select(Controls::ALL.to_vec()), any::<bool>()),
    );
    (
        select(builtin::ids().collect::<Vec<_>>()),
        prop_oneof![3 => Just(true), 1 => Just(false)],
        // Few edits most of the time: those links are mostly valid.
        prop_oneof![Just(None), edits().prop_map(Some)],
        view,
    )
        .prop_map(
            |(id, keep, edits, (time_ms, (speed, fit), (enabled, controls, autoplay)))| {
                let mut f = Fragment::from_builtin(id).unwrap();
                if !keep {
                    f.builtin = None;
                }
                if let Some(e) = edits {
                    apply(&mut f.scenario, e);
                }
                f.time_ms = time_ms;
                f.speed = speed;
                f.fit = fit;
                f.embed = Embed {
                    enabled,
                    controls,
                    autoplay,
                };
                f
            },
        )
        .boxed()
}

fn apply(s: &mut Scenario, e: Edits) {
    fn set<T>(field: &mut T, v: Option<T>) {
        if let Some(v) = v {
            *field = v;
        }
    }
    set(&mut s.platform, e.platform);
    set(&mut s.msl_ms, e.msl);
    set(&mut s.link.delay_ms, e.delay);
    set(&mut s.link.loss, e.loss);
    set(&mut s.seed, e.seed);
    set(&mut s.handshake, e.handshake);
    set(&mut s.drops, e.drops);
    set(&mut s.name, e.name);
    set(&mut s.description, e.description);
    set(&mut s.actions, e.actions);
    if let Some((a, b)) = e.hosts {
        s.hosts.a = a;
        s.hosts.b = b;
    }
    set(&mut s.tunables, e.tunables);
    set(&mut s.duplicates, e.duplicates);
    set(&mut s.time_limit_ms, e.time_limit);
}

// ---------------------------------------------------------------------------
// Mutations of links.

#[derive(Clone, Debug)]
enum Mutation {
    /// XOR one byte with a one-bit mask.
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
    /// A copy of one `&`-separated part inserted at another place.
    DuplicatePart(Index, Index),
    DropPart(Index),
    SwapParts(Index, Index),
}

/// Bytes that mean something in a link, or nothing at all.
fn link_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        any::<u8>(),
        select(b"&=%#:,.+-eE0159azjAFINBxX_~ \x00\x7f".to_vec()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(i, bit)| Mutation::Flip(i, 1 << bit)),
        2 => (any::<Index>(), link_byte()).prop_map(|(i, b)| Mutation::Set(i, b)),
        3 => (any::<Index>(), link_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Mutation::DuplicatePart(i, j)),
        1 => any::<Index>().prop_map(Mutation::DropPart),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Mutation::SwapParts(i, j)),
    ]
}

fn mutate(link: &str, mutations: &[Mutation]) -> String {
    let mut bytes = link.as_bytes().to_vec();
    for m in mutations {
        let n = bytes.len();
        let mut parts: Vec<Vec<u8>> = bytes.split(|&b| b == b'&').map(<[u8]>::to_vec).collect();
        let p = parts.len();
        match *m {
            Mutation::Flip(i, mask) if n > 0 => bytes[i.index(n)] ^= mask,
            Mutation::Set(i, b) if n > 0 => bytes[i.index(n)] = b,
            Mutation::Insert(i, b) => bytes.insert(i.index(n + 1), b),
            Mutation::Delete(i) if n > 0 => {
                bytes.remove(i.index(n));
            }
            Mutation::Truncate(i) => bytes.truncate(i.index(n + 1)),
            Mutation::DuplicatePart(i, j) => {
                let part = parts[i.index(p)].clone();
                parts.insert(j.index(p + 1), part);
                bytes = parts.join(&b'&');
            }
            Mutation::DropPart(i) => {
                parts.remove(i.index(p));
                bytes = parts.join(&b'&');
            }
            Mutation::SwapParts(i, j) => {
                parts.swap(i.index(p), j.index(p));
                bytes = parts.join(&b'&');
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Pieces links are made of, for text that looks like a link but is not one.
const TOKENS: &[&str] = &[
    "s",
    "c",
    "p",
    "msl",
    "d",
    "loss",
    "seed",
    "hs",
    "drop",
    "t",
    "v",
    "embed",
    "controls",
    "autoplay",
    "x",
    "utm_source",
    "S",
    "=",
    "=",
    "&",
    "&",
    "&&",
    "#",
    "%",
    "%2",
    "%26",
    "%3D",
    "%70",
    "%41",
    "%C3%A9",
    "%FF",
    "%C0%AF",
    "%00",
    "+",
    "lost-fin",
    "normal-close",
    "windows",
    "LINUX",
    "platform",
    "1",
    "0",
    "true",
    "-1",
    "1e-300",
    "5e-324",
    "1e999",
    "NaN",
    ".5",
    "5.",
    "86400000",
    "86400001",
    "18446744073709551616",
    "A:FIN",
    ":",
    ",",
    "B:ANY:220:1:2",
    "z",
    "j",
    "zAAAA",
    "j",
    "eyJhY3Rpb25zIjpbXX0",
    "eyJ",
    "==",
    "skip",
    "full",
    "none",
    "é",
    "\u{0}",
];

fn token_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(select(TOKENS), 0..48).prop_map(|t| t.concat())
}

// ---------------------------------------------------------------------------
// DEFLATE: what our reader and miniz_oxide make of a `c=z` payload.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inflated {
    /// Unpacked within the limit (what follows may still fail: UTF-8, JSON…).
    Fine,
    TooLong,
    Invalid,
}

fn ours(result: &Result<Fragment, ShareError>) -> Inflated {
    match result {
        Err(e) if e.message.contains("unpacks to more than") => Inflated::TooLong,
        Err(e) if e.message.contains("is not valid DEFLATE data") => Inflated::Invalid,
        _ => Inflated::Fine,
    }
}

fn miniz(data: &[u8]) -> Inflated {
    use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};
    match decompress_to_vec_with_limit(data, MAX_JSON_LEN) {
        Ok(_) => Inflated::Fine,
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Inflated::TooLong,
        Err(_) => Inflated::Invalid,
    }
}

/// Decodes `c=z` + `data` and compares the DEFLATE verdict with miniz_oxide's.
fn check_deflate(data: &[u8]) -> Result<Result<Fragment, ShareError>, TestCaseError> {
    let link = format!("c=z{}", URL_SAFE_NO_PAD.encode(data));
    let result = checked_decode(&link)?;
    if link.len() <= MAX_FRAGMENT_LEN {
        let (ours, theirs) = (ours(&result), miniz(data));
        prop_assert!(
            ours == theirs,
            "DEFLATE stream {:02x?}: ours {:?} ({:?}), miniz_oxide {:?}",
            data,
            ours,
            result,
            theirs
        );
    }
    Ok(result)
}

fn check_deflate_only(data: &[u8]) -> Result<(), TestCaseError> {
    check_deflate(data).map(drop)
}

// ---------------------------------------------------------------------------
// (i) The decoder.

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn arbitrary_text(s in prop_oneof![any::<String>(), "(?s).{0,400}"]) {
        check(&s)?;
    }

    #[test]
    fn link_like_text(soup in token_soup(), hash in any::<bool>()) {
        let link = if hash { format!("#{soup}") } else { soup };
        check(&link)?;
    }
}

proptest! {
    #![proptest_config(config(100))]

    /// Link-like text up to and past the length limit: linear work, and
    /// refused past it.
    #[test]
    fn long_link_like_text(soup in token_soup(), len in (MAX_FRAGMENT_LEN - 300)..(MAX_FRAGMENT_LEN + 300)) {
        let piece = if soup.is_empty() { "&".to_string() } else { soup };
        let mut link = piece.repeat(len / piece.len() + 1);
        let mut cut = len.min(link.len());
        while !link.is_char_boundary(cut) {
            cut -= 1;
        }
        link.truncate(cut);
        let result = checked_decode(&link)?;
        // The limit is the fragment's, after its `#` (as `decode` counts it).
        if link.strip_prefix('#').unwrap_or(&link).len() > MAX_FRAGMENT_LEN {
            let e = result.expect_err("too long");
            prop_assert!(e.message.contains("too long"), "{}", e);
        }
    }
}

proptest! {
    #![proptest_config(config(1500))]

    /// The encoder's links for random edits, then broken: flips, insertions,
    /// deletions, cuts, parts duplicated, dropped or swapped.
    #[test]
    fn mutated_links(f in fragment(), mutations in proptest::collection::vec(mutation(), 1..5)) {
        let link = mutate(&encode(&f), &mutations);
        check(&link)?;
    }

    /// A known key given twice is refused, naming the key, whatever the two
    /// values and however the second is spelt (percent-encoded or not).
    #[test]
    fn a_known_key_twice_is_refused(
        f in fragment(),
        which in any::<Index>(),
        at in any::<Index>(),
        value in prop_oneof![Just(None), Just(Some("")), Just(Some("1")), Just(Some("x"))],
        escaped in any::<bool>(),
    ) {
        let link = encode(&f);
        let mut parts: Vec<String> = link.split('&').map(String::from).collect();
        let part = parts[which.index(parts.len())].clone();
        let key = part.split_once('=').map_or(&part[..], |(k, _)| k).to_string();
        let spelt = if escaped {
            key.bytes().map(|b| format!("%{b:02X}")).collect()
        } else {
            key.clone()
        };
        let copy = match value {
            None => part.replacen(&key, &spelt, 1),
            Some(v) => format!("{spelt}={v}"),
        };
        parts.insert(at.index(parts.len() + 1), copy);
        let twice = parts.join("&");
        let e = match checked_decode(&twice)? {
            Ok(f) => return Err(TestCaseError::fail(format!("{twice:?} decoded to {f:?}"))),
            Err(e) => e,
        };
        prop_assert_eq!(&e.key, &key, "{}: {}", twice, e);
        prop_assert!(e.message.contains("is given twice"), "{}: {}", twice, e);
    }

    /// `decode(encode(f)) == f` for every fragment whose scenario is valid,
    /// and a refusal (not a different scenario) for the others.
    #[test]
    fn encode_then_decode(f in fragment()) {
        let link = encode(&f);
        let back = checked_decode(&link)?;
        let in_range = (0.0..=MAX_MS).contains(&f.time_ms);
        match f.scenario.validate() {
            Ok(()) if in_range => prop_assert_eq!(back, Ok(f), "{}", link),
            why => prop_assert!(back.is_err(), "{} ({:?}) decoded to {:?}", link, why, back),
        }
    }

    /// The JSON in `c` (a whole scenario file, which is a valid `c`), broken
    /// byte by byte, plain and deflated.
    #[test]
    fn mutated_json_in_c(
        f in fragment(),
        pretty in any::<bool>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
        level in 0u8..=10,
        deflated in any::<bool>(),
    ) {
        let json = if pretty {
            farewell_json::to_string_pretty(&f.scenario)
        } else {
            farewell_json::to_string(&f.scenario)
        }
        .unwrap();
        // Byte mutations (the `&` ones only matter if the JSON holds `&`).
        let mut bytes = mutate(&json, &mutations).into_bytes();
        if let Some(Mutation::Flip(i, mask)) = mutations.first() {
            // One raw flip, possibly leaving invalid UTF-8 for the reader.
            let n = bytes.len();
            if n > 0 {
                bytes[i.index(n)] ^= mask;
            }
        }
        let link = if deflated {
            c_deflated(&bytes, level)
        } else {
            format!("c=j{}", URL_SAFE_NO_PAD.encode(&bytes))
        };
        check(&link)?;
    }
}

// ---------------------------------------------------------------------------
// (ii) The DEFLATE reader, through `c=z…`.

/// A built-in's file, or one of its random edits, as JSON.
fn scenario_json() -> impl Strategy<Value = (Vec<u8>, Option<Scenario>)> {
    prop_oneof![
        select(builtin::ALL.to_vec())
            .prop_map(|b| (b.json.as_bytes().to_vec(), Some(b.scenario()))),
        fragment().prop_map(|f| (
            farewell_json::to_string(&f.scenario).unwrap().into_bytes(),
            None
        )),
    ]
}

fn dynamic_block() -> impl Strategy<Value = Vec<u8>> {
    (0u8..8, proptest::collection::vec(any::<u8>(), 1..400)).prop_map(|(header, mut stream)| {
        // BFINAL and BTYPE (0 stored, 1 fixed, 2 dynamic, 3 invalid), then
        // arbitrary bits.
        stream[0] = (stream[0] & !7) | header;
        stream
    })
}

fn broken_stream() -> impl Strategy<Value = (Vec<u8>, Option<Scenario>)> {
    (
        scenario_json(),
        0u8..=10,
        proptest::collection::vec((any::<Index>(), 0u8..8), 0..4),
        proptest::option::of(any::<Index>()),
        proptest::collection::vec(any::<u8>(), 0..3),
    )
        .prop_map(|((json, scenario), level, flips, cut, trailing)| {
            let mut packed = miniz_oxide::deflate::compress_to_vec(&json, level);
            let intact = (flips.is_empty() && cut.is_none() && trailing.is_empty())
                .then_some(scenario)
                .flatten();
            for (i, bit) in &flips {
                let n = packed.len();
                packed[i.index(n)] ^= 1 << bit;
            }
            if let Some(cut) = cut {
                let n = packed.len();
                packed.truncate(cut.index(n));
            }
            packed.extend_from_slice(&trailing);
            (packed, intact)
        })
}

proptest! {
    #![proptest_config(config(3000))]

    /// Arbitrary bytes as the DEFLATE stream: miniz_oxide's verdict
    /// (unpacked, too long, or invalid).
    #[test]
    fn arbitrary_deflate_streams(data in proptest::collection::vec(any::<u8>(), 0..1200)) {
        check_deflate_only(&data)?;
    }

    /// Streams that start like real ones: a block header then arbitrary bits.
    #[test]
    fn arbitrary_blocks(stream in dynamic_block()) {
        check_deflate_only(&stream)?;
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// Real streams (every compression level, so stored, fixed and dynamic
    /// blocks) of scenario files: read back exactly when intact; broken by bit
    /// flips, cuts and trailing bytes: miniz_oxide's verdict.
    #[test]
    fn broken_deflate_streams((packed, intact) in broken_stream()) {
        let back = check_deflate(&packed)?;
        if let Some(s) = intact {
            prop_assert_eq!(back.map(|f| f.scenario), Ok(s));
        }
    }

}

proptest! {
    #![proptest_config(config(100))]

    /// The output limit is exact: JSON of `MAX_JSON_LEN` bytes or fewer is
    /// read, one byte more is refused as too long (with repetitive or varied
    /// content, at every level but stored, whose link would be too long).
    #[test]
    fn the_output_limit_is_exact(
        extra in -64i64..64,
        level in 1u8..=10,
        chunk in "[a-h ]{1,40}",
        padding in any::<bool>(),
    ) {
        let total = (MAX_JSON_LEN as i64 + extra) as usize;
        let json = if padding {
            // A short object then white space up to the total.
            let mut json = r#"{"name":"limit"}"#.to_string();
            json.push_str(&" ".repeat(total - json.len()));
            json
        } else {
            // A name filling the total.
            let room = total - r#"{"name":""}"#.len();
            let name: String = chunk.repeat(room / chunk.len() + 1)[..room].to_string();
            format!(r#"{{"name":"{name}"}}"#)
        };
        prop_assert_eq!(json.len(), total);
        let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), level);
        let result = check_deflate(&packed)?;
        if total <= MAX_JSON_LEN {
            let f = result.map_err(|e| TestCaseError::fail(format!("{total} bytes: {e}")))?;
            if padding {
                prop_assert_eq!(f.scenario.name, "limit");
            } else {
                prop_assert_eq!(f.scenario.name.len(), total - 11);
            }
        } else {
            prop_assert_eq!(ours(&result), Inflated::TooLong, "{} bytes: {:?}", total, result);
        }
    }
}

// ---------------------------------------------------------------------------
// Long values inside `c`: the message quotes them short.

/// A long string: `chunk` repeated to `len` bytes or a little more.
fn long(chunk: &str, len: usize) -> String {
    chunk.repeat(len / chunk.len().max(1) + 1)
}

/// A scenario-file JSON object with `s` (JSON-escaped) at one of several places.
fn with_long_value(place: usize, s: &str) -> String {
    let q = farewell_json::to_string(&s).unwrap();
    match place {
        0 => format!(r#"{{"platform":{q}}}"#),
        1 => format!(r#"{{{q}:1}}"#),
        2 => format!(r#"{{"link":{{{q}:1}}}}"#),
        3 => format!(r#"{{"actions":[{{"at_ms":0,"host":{q},"do":"send","bytes":1}}]}}"#),
        4 => format!(r#"{{"actions":[{{"at_ms":0,"host":"A","do":{q}}}]}}"#),
        5 => format!(r#"{{"drops":[{{"from":"A","kind":{q}}}]}}"#),
        6 => format!(r#"{{"actions":{q}}}"#),
        7 => format!(r#"{{"link":{{"delay_ms":{q}}}}}"#),
        8 => format!(r#"{{"seed":{q}}}"#),
        9 => format!(r#"{{"tunables":{{{q}:true}}}}"#),
        10 => format!(r#"{{"hosts":{{{q}:{{}}}}}}"#),
        _ => format!(r#"{{"name":{q}}}"#),
    }
}

/// Chunks long values are made of: letters, the characters error messages
/// quote values with (`` ` `` and `"`), backslashes, control characters,
/// multi-byte characters.
fn long_chunk() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[a-z]{1,4}",
        1 => "[\"`\\\\\u{0}\n\u{1b}é✕ x]{1,6}",
        1 => "(?s).{1,6}",
    ]
}

proptest! {
    #![proptest_config(config(100))]

    /// Values of up to 60 KB in `c` (deflated, so the link stays short):
    /// the message stays within [`MAX_MESSAGE`] characters.
    #[test]
    fn long_values_in_c_are_quoted_short(
        place in 0usize..12,
        chunk in long_chunk(),
        len in prop_oneof![100usize..2000, 20_000usize..60_000],
    ) {
        let json = with_long_value(place, &long(&chunk, len));
        prop_assume!(json.len() <= MAX_JSON_LEN);
        check(&c_deflated(json.as_bytes(), 6))?;
    }

    /// Long values, percent-encoded, in every parameter.
    #[test]
    fn long_values_in_parameters_are_quoted_short(
        key in select(KEYS.to_vec()),
        chunk in long_chunk(),
        len in 60usize..3000,
    ) {
        check(&format!("{key}={}", percent_encoded(&long(&chunk, len))))?;
    }
}

/// Percent-encodes every byte.
fn percent_encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Finding 3: values of 4-byte characters, or of control characters (each
/// shown as the 3-byte U+FFFD), in every parameter and every place in `c`.
#[test]
fn values_of_wide_characters() {
    let mut failures = Vec::new();
    for chunk in ["😀", "\u{0}", "\u{1b}", "✕", "é"] {
        for len in [60, 61, 400] {
            let value = chunk.repeat(len);
            let links = KEYS
                .iter()
                .map(|key| format!("{key}={}", percent_encoded(&value)))
                .chain((0..12).map(|place| c_plain(&with_long_value(place, &value))));
            for link in links {
                if let Err(e) = check(&link) {
                    failures.push(e.to_string());
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

proptest! {
    #![proptest_config(config(100))]

    /// Finding 4: a quote character then control characters (an ANSI escape,
    /// a newline) in a value of `c`.
    #[test]
    fn control_characters_after_a_quote_in_c(
        place in 0usize..12,
        quote in select(vec!["`", "\""]),
        controls in "[\u{0}-\u{1f}\u{7f}]{1,8}[a-z]{0,4}",
    ) {
        let json = with_long_value(place, &format!("{quote}{controls}"));
        check(&c_plain(&json))?;
    }
}

// ---------------------------------------------------------------------------
// (iii) The corpus.

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile_corpus")
}

fn blank() -> Scenario {
    farewell_json::from_str(r#"{"actions":[]}"#).unwrap()
}

/// The audit's link: a custom scenario with 1,000 sends of 1,000,000 bytes at
/// time 0, written by the crate's own encoder.
fn thousand_megabyte_sends() -> String {
    let mut s = blank();
    s.actions = vec![
        Action {
            at_ms: Some(0.0),
            after_eof_ms: None,
            host: Host::A,
            what: Do::Send,
            bytes: Some(1_000_000),
        };
        1000
    ];
    encode(&Fragment {
        builtin: None,
        scenario: s,
        time_ms: 0.0,
        speed: None,
        fit: false,
        embed: Embed::default(),
    })
}

/// What must happen to a corpus file.
enum Want {
    /// `decode` (`.link`) or `Scenario::from_json` (`.json`) refuses it: the
    /// error's key (link) or field (file) and what its message says.
    Refused(&'static str, &'static [&'static str]),
    /// Accepted; for a link, `encode` of the result is this (when given).
    Accepted(Option<&'static str>),
}

use Want::{Accepted, Refused};

/// Every corpus file: its name, its content (the checked-in file must be
/// exactly this; `write_corpus` writes them) and what must happen.
fn corpus() -> Vec<(&'static str, String, Want)> {
    let x1000 = "x".repeat(1000);
    let k1000 = "k".repeat(1000);
    let send = |bytes: u64| format!(r#"{{"at_ms":0,"host":"A","do":"send","bytes":{bytes}}}"#);
    // The budget in sends of 1 MB: the send at index `over` (0-based) takes
    // the total past it.
    let over = (MAX_TOTAL_SEND_BYTES / 1_000_000) as usize;
    let rest = MAX_TOTAL_SEND_BYTES % 1_000_000;
    let mut at_the_budget = vec![send(1_000_000); over];
    if rest > 0 {
        at_the_budget.push(send(rest));
    }
    let over_the_budget = vec![send(1_000_000); over + 1];
    vec![
        // Links (the fragment without `#`).
        (
            "thousand-megabyte-sends.link",
            thousand_megabyte_sends(),
            Refused(
                "",
                says(vec![
                    format!("the linked scenario cannot run: actions[{over}].bytes"),
                    format!("the work budget allows {MAX_TOTAL_SEND_BYTES} bytes in all"),
                ]),
            ),
        ),
        (
            "sends-at-the-budget.link",
            c_plain(&format!(
                r#"{{"actions":[{},{{"at_ms":1000,"host":"A","do":"close"}},{{"after_eof_ms":0,"host":"B","do":"close"}}]}}"#,
                at_the_budget.join(",")
            )),
            Accepted(None),
        ),
        (
            "two-scenarios-in-c.link",
            c_plain(r#"{"name":"one","actions":[]}{"name":"two","actions":[]}"#),
            Refused("c", &["does not hold a readable scenario", "trailing characters"]),
        ),
        (
            "tiny-numbers.link",
            "s=lost-fin&msl=5e-324&d=1.2345678901234567e-300&loss=2.2250738585072014e-308\
             &drop=A:FIN:4.9406564584124654e-324&t=1e-323"
                .to_string(),
            Accepted(Some(
                // 1.2345678901234567e-300 and …68e-300 are the same `f64`;
                // the encoder writes the digits nearer to it.
                "s=lost-fin&msl=5e-324&d=1.2345678901234568e-300&loss=2.2250738585072014e-308\
                 &drop=A:FIN:5e-324&t=1e-323",
            )),
        ),
        (
            "long-platform-in-c.link",
            c_plain(&format!(r#"{{"platform":"{x1000}"}}"#)),
            Refused(
                "c",
                &["unknown variant `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (1000 bytes)`"],
            ),
        ),
        (
            "long-unknown-key-in-c.link",
            c_plain(&format!(r#"{{"{k1000}":1}}"#)),
            Refused(
                "c",
                &["unknown field `kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk… (1000 bytes)`"],
            ),
        ),
        (
            "backtick-in-long-platform-in-c.link",
            c_plain(&format!(r#"{{"platform":"a`{x1000}"}}"#)),
            Refused("c", &["unknown variant `a`"]),
        ),
        (
            "escaped-quote-in-long-string-in-c.link",
            c_plain(&format!(r#"{{"actions":"a\"{x1000}"}}"#)),
            Refused("c", &["invalid type: string \"a\\"]),
        ),
        (
            // A dynamic block whose literal/length code is incomplete (three
            // codes of 2 bits: `{`, `}`, end of block) around the text `{}`.
            "incomplete-huffman-code-in-c.link",
            "c=zBcABCQAAAICg4dH3xAA".to_string(),
            Refused("c", &["is not valid DEFLATE data"]),
        ),
        (
            "retries-above-255-in-c.link",
            c_plain(r#"{"tunables":{"max_retries":256}}"#),
            Refused("", &["tunables.max_retries: at most 255"]),
        ),
        (
            "negative-subnormal-in-c.link",
            c_plain(r#"{"link":{"delay_ms":-5e-324}}"#),
            Refused("", &["link.delay_ms: must be a number of milliseconds, 0 or more"]),
        ),
        (
            "byte-order-mark-in-c.link",
            c_plain("\u{feff}{\"name\":\"x\"}"),
            Refused("c", &["does not hold a readable scenario"]),
        ),
        (
            "drop-rules-1001.link",
            format!("s=lost-fin&drop={}", vec!["A:FIN"; 1001].join(",")),
            Refused("drop", &["drops: at most 1000 entries, got 1001"]),
        ),
        (
            "control-characters.link",
            "s=lost%00fin%0A%1B[31m".to_string(),
            Refused("s", &["`s=lost\u{FFFD}fin\u{FFFD}\u{FFFD}[31m` is not a built-in"]),
        ),
        (
            "overlong-utf8.link",
            "s=%C0%AF".to_string(),
            Refused("s", &["UTF-8"]),
        ),
        (
            "percent-encoded-duplicate.link",
            "s=lost-fin&p=linux&%70=macos".to_string(),
            Refused("p", &["`p` is given twice"]),
        ),
        (
            "upper-case-keys.link",
            "s=lost-fin&S=half-close&P=windows".to_string(),
            Accepted(Some("s=lost-fin")),
        ),
        (
            "backtick-then-escape-in-c.link",
            c_plain(r#"{"platform":"`\u001b[2J\u001b[31mgotcha"}"#),
            Refused("c", &["unknown variant `"]),
        ),
        (
            "wide-characters-in-s.link",
            format!("s={}", "😀".repeat(60)),
            Refused("s", &["is not a built-in scenario"]),
        ),
        // Scenario files.
        (
            "two-scenarios.json",
            "{\"name\":\"one\",\"actions\":[]}\n{\"name\":\"two\",\"actions\":[]}\n".to_string(),
            Refused("", &["text after the scenario's closing brace", "give one JSON object"]),
        ),
        (
            "sends-over-the-budget.json",
            format!("{{\"actions\":[{}]}}\n", over_the_budget.join(",")),
            Refused(
                leak(format!("actions[{over}].bytes")),
                says(vec![format!(
                    "the sends add up to {} bytes by this one",
                    (over as u64 + 1) * 1_000_000
                )]),
            ),
        ),
        (
            "long-platform.json",
            format!("{{\"platform\":\"{x1000}\",\"actions\":[]}}\n"),
            Refused("platform", &["unknown variant `xxxx", "x… (1000 bytes)`"]),
        ),
        (
            "long-unknown-key.json",
            format!("{{\"actions\":[],\"{k1000}\":1}}\n"),
            Refused(
                leak(format!("{}… (1000 bytes)", &k1000[..60])),
                &["unknown field `kkkk", "k… (1000 bytes)`"],
            ),
        ),
        (
            "backtick-in-long-unknown-key.json",
            format!("{{\"actions\":[],\"a`{k1000}\":1}}\n"),
            Refused(
                leak(format!("a`{}… (1002 bytes)", &k1000[..58])),
                &["unknown field `a`"],
            ),
        ),
        (
            "escaped-quote-in-long-string.json",
            format!("{{\"actions\":\"a\\\"{x1000}\"}}\n"),
            Refused("actions", &["invalid type: string \"a\\"]),
        ),
        (
            "backtick-then-escape.json",
            "{\"platform\":\"`\\u001b[2J\\u001b[31mgotcha\",\"actions\":[]}\n".to_string(),
            Refused("platform", &["unknown variant `"]),
        ),
        (
            "wide-unknown-key.json",
            format!("{{\"actions\":[],\"{}\":1}}\n", "😀".repeat(100)),
            Refused(
                leak(format!("{}… (400 bytes)", "😀".repeat(30))),
                &["unknown field `😀"],
            ),
        ),
        (
            "duplicate-key.json",
            "{\"actions\":[],\"actions\":[]}\n".to_string(),
            Refused("", &["duplicate field `actions`"]),
        ),
        (
            "integer-written-as-float.json",
            "{\"actions\":[{\"at_ms\":0,\"host\":\"A\",\"do\":\"send\",\"bytes\":5.0}]}\n"
                .to_string(),
            Refused("actions[0].bytes", &["invalid type: floating point `5.0`, expected u32"]),
        ),
        (
            "struct-as-array.json",
            "{\"link\":[20,0.1],\"actions\":[]}\n".to_string(),
            Accepted(None),
        ),
        (
            "seed-above-2-53.json",
            "{\"seed\":18446744073709551615,\"actions\":[]}\n".to_string(),
            Accepted(None),
        ),
        (
            "byte-order-mark.json",
            "\u{feff}{\"actions\":[]}\n".to_string(),
            Refused("", &["expected value"]),
        ),
        (
            "lone-surrogate.json",
            "{\"name\":\"\\ud800\",\"actions\":[]}\n".to_string(),
            Refused("name", &["hex escape"]),
        ),
        (
            "number-out-of-range.json",
            "{\"link\":{\"delay_ms\":1e400},\"actions\":[]}\n".to_string(),
            Refused("link.delay_ms", &["number out of range"]),
        ),
        (
            "negative-subnormal.json",
            "{\"link\":{\"delay_ms\":-5e-324},\"actions\":[]}\n".to_string(),
            Refused("link.delay_ms", &["must be a number of milliseconds, 0 or more; got -0.0000"]),
        ),
        (
            "tiny-numbers.json",
            "{\"msl_ms\":5e-324,\"link\":{\"delay_ms\":1.2345678901234567e-300,\"loss\":2.2250738585072014e-308},\
             \"actions\":[{\"at_ms\":1e-300,\"host\":\"A\",\"do\":\"close\"},{\"after_eof_ms\":5e-324,\"host\":\"B\",\"do\":\"close\"}]}\n"
                .to_string(),
            Accepted(None),
        ),
        (
            "deep-nesting.json",
            format!("{{\"actions\":{}{}}}\n", "[".repeat(1000), "]".repeat(1000)),
            // serde_json reads a struct from an array of its fields: `at_ms`
            // is the first.
            Refused("actions[0][0]", &["invalid type: sequence, expected f64"]),
        ),
    ]
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn says(texts: Vec<String>) -> &'static [&'static str] {
    Box::leak(
        texts
            .into_iter()
            .map(leak)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// Writes the corpus files from [`corpus`] (run after changing it:
/// `cargo test -p farewell-share --test fuzz -- --ignored write_corpus`).
#[test]
#[ignore]
fn write_corpus() {
    for (name, content, _) in corpus() {
        let body = if name.ends_with(".link") {
            format!("{content}\n")
        } else {
            content
        };
        std::fs::write(corpus_dir().join(name), body).unwrap();
    }
}

/// The corpus files as checked in: name and content (a link without its
/// final newline).
fn corpus_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(corpus_dir())
        .expect("tests/hostile_corpus exists")
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let mut content = std::fs::read_to_string(&path).unwrap();
            if name.ends_with(".link") && content.ends_with('\n') {
                content.pop();
            }
            (name, content)
        })
        .filter(|(name, _)| name != "README.md")
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_is_what_the_generator_writes_and_the_readme_lists() {
    let expected = corpus();
    let files = corpus_files();
    let mut names: Vec<&str> = expected.iter().map(|(n, _, _)| *n).collect();
    names.sort_unstable();
    assert_eq!(
        files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        names,
        "the files in tests/hostile_corpus (run the ignored test write_corpus)"
    );
    let readme = std::fs::read_to_string(corpus_dir().join("README.md")).unwrap();
    for (name, content, _) in &expected {
        let (_, file) = files.iter().find(|(n, _)| n == name).unwrap();
        assert!(
            file == content,
            "{name} differs from what write_corpus writes"
        );
        assert!(
            readme
                .lines()
                .any(|l| l.starts_with(&format!("| `{name}` |"))),
            "README.md has no line for {name}"
        );
    }
    // The audit's link, as the encoder writes it: 667 bytes with its `#`.
    let link = thousand_megabyte_sends();
    assert_eq!(format!("#{link}").len(), 667, "{link}");
    assert!(link.starts_with("c=z"), "{link}");
}

#[test]
fn every_corpus_link_has_its_outcome() {
    let mut failures = Vec::new();
    for (name, content, want) in corpus() {
        if !name.ends_with(".link") {
            continue;
        }
        if let Err(e) = link_outcome(&content, &want) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn link_outcome(link: &str, want: &Want) -> Result<(), TestCaseError> {
    let start = Instant::now();
    let result = checked_decode(link)?;
    match (want, result) {
        (Refused(key, says), Err(e)) => {
            prop_assert_eq!(&e.key, key, "{}", e);
            for s in *says {
                prop_assert!(
                    e.message.contains(s),
                    "{:?} does not say {:?}",
                    e.message,
                    s
                );
            }
        }
        (Accepted(again), Ok(f)) => {
            if let Some(again) = again {
                prop_assert_eq!(&encode(&f), again);
            }
        }
        (_, result) => {
            return Err(TestCaseError::fail(format!(
                "unexpected outcome: {result:?}"
            )))
        }
    }
    prop_assert!(start.elapsed() < MAX_DECODE_TIME);
    Ok(())
}

#[test]
fn corpus_links_in_detail() {
    // The tiny numbers read back bit for bit.
    let f = decode(&read_link("tiny-numbers.link")).unwrap();
    let s = &f.scenario;
    assert_eq!(s.msl_ms.map(f64::to_bits), Some(5e-324f64.to_bits()));
    assert_eq!(
        s.link.delay_ms.to_bits(),
        1.2345678901234567e-300f64.to_bits()
    );
    assert_eq!(s.link.loss.to_bits(), 2.2250738585072014e-308f64.to_bits());
    assert_eq!(s.drops[0].after_ms.to_bits(), 5e-324f64.to_bits());
    assert_eq!(f.time_ms.to_bits(), 1e-323f64.to_bits());
    // Upper-case keys are not the format's: ignored, and listed.
    let link = read_link("upper-case-keys.link");
    assert_eq!(ignored_keys(&link), ["S", "P"]);
    let f = decode(&link).unwrap();
    assert_eq!(
        (f.builtin.as_deref(), f.scenario.platform),
        (Some("lost-fin"), Platform::Linux)
    );
    // Sends adding up to exactly the budget run.
    let f = decode(&read_link("sends-at-the-budget.link")).unwrap();
    let trace = simulate(&f.scenario);
    let sent: u64 = trace
        .segments()
        .filter(|(_, s)| s.from == Host::A && !s.retransmission)
        .map(|(_, s)| u64::from(s.len))
        .sum();
    assert_eq!(sent, MAX_TOTAL_SEND_BYTES);
}

fn read_link(name: &str) -> String {
    corpus_files()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is in the corpus"))
        .1
}

#[test]
fn every_corpus_file_has_its_outcome() {
    let mut failures = Vec::new();
    for (name, text, want) in corpus() {
        if !name.ends_with(".json") {
            continue;
        }
        if let Err(e) = file_outcome(&text, &want) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn file_outcome(text: &str, want: &Want) -> Result<(), TestCaseError> {
    let strict = Scenario::from_json(text);
    let generic = farewell_json::from_str::<Scenario>(text)
        .map_err(|e| e.to_string())
        .and_then(|s| s.validate().map(|()| s).map_err(|e| e.to_string()));
    // Natively both readers are serde_json: they agree on every file.
    prop_assert_eq!(
        strict.is_ok(),
        generic.is_ok(),
        "from_json {:?}, farewell_json {:?}",
        strict,
        generic
    );
    if let Err(e) = &generic {
        prop_assert!(e.len() <= MAX_MESSAGE, "farewell_json: {}", short(e));
    }
    // A whole scenario file is a valid `c`: the same verdict in a link.
    let link = c_deflated(text.as_bytes(), 10);
    let linked = checked_decode(&link)?;
    prop_assert_eq!(
        linked.is_ok(),
        strict.is_ok(),
        "in a link: {:?}",
        linked.as_ref().map(|_| ())
    );
    match (want, strict) {
        (Refused(field, says), Err(e)) => {
            let shown = e.to_string();
            prop_assert!(
                shown.len() <= MAX_MESSAGE,
                "a {}-byte message: {}",
                shown.len(),
                short(&shown)
            );
            prop_assert_eq!(&e.field, field, "{}", short(&shown));
            for s in *says {
                prop_assert!(
                    shown.contains(s),
                    "{:?} does not say {:?}",
                    short(&shown),
                    s
                );
            }
        }
        (Accepted(_), Ok(s)) => {
            check_simulates(&s, text)?;
            prop_assert_eq!(linked.map(|f| f.scenario), Ok(s));
        }
        (_, result) => {
            return Err(TestCaseError::fail(format!(
                "unexpected outcome: {result:?}"
            )))
        }
    }
    Ok(())
}
