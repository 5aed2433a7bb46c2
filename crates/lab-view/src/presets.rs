//! Ready-made labs, one lesson each, as links.

/// `(id, title, fragment)`: each fragment is read by
/// [`crate::knobs::from_fragment`] like any link.
pub const PRESETS: [(&str, &str, &str); 7] = [
    (
        "steady",
        "Rate × TIME_WAIT: 200 connections a second level off at 12,000",
        "rate=200&duration=120",
    ),
    ("ports", "A load test from one host runs out of ports", ""),
    (
        "tw-reuse",
        "tcp_tw_reuse = 1 lets the same load test through",
        "tw-reuse=1&timestamps=on",
    ),
    (
        "keep-alive",
        "Keep-alive: 100 requests per connection",
        "requests-per-connection=100",
    ),
    (
        "server-closes",
        "A busy server with 16 clients closes first: tcp_max_tw_buckets overflows",
        "rate=5000&duration=90&closer=server&source-ips=16",
    ),
    (
        "restart",
        "A server restarts over its own TIME_WAIT sockets",
        "rate=100&duration=120&closer=server&restart-at=20",
    ),
    (
        "windows",
        "Windows: a 240 s TIME_WAIT and 16,384 ports",
        "platform=windows&rate=100&duration=300",
    ),
];
