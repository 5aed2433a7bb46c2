//! Writes the pcap of a built-in scenario: `cargo run -p farewell-export --example dump_pcap -- NAME OUT.pcap`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: dump_pcap NAME OUT.pcap");
        std::process::exit(2);
    };
    let Some(scenario) = farewell_engine::builtin::get(name) else {
        eprintln!("no built-in scenario `{name}`");
        std::process::exit(2);
    };
    let trace = farewell_engine::simulate(&scenario);
    let bytes = farewell_export::pcap(&trace, &scenario).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    std::fs::write(out, bytes).unwrap_or_else(|e| {
        eprintln!("{out}: {e}");
        std::process::exit(1)
    });
}
