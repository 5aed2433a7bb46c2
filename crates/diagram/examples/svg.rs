//! Writes the standalone SVG of a built-in scenario: `cargo run -p farewell-diagram --example svg -- lost-final-ack > out.svg`.
fn main() {
    let id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| farewell_engine::builtin::DEFAULT.to_string());
    let Some(scenario) = farewell_engine::builtin::get(&id) else {
        eprintln!("no built-in scenario `{id}`");
        std::process::exit(2);
    };
    let trace = farewell_engine::simulate(&scenario);
    print!(
        "{}",
        farewell_diagram::render_svg(&farewell_diagram::layout(&trace))
    );
}
