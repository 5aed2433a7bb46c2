//! Byte-for-byte trace snapshots of every built-in (JSON Lines, as the CLI prints).
//! A change here is a change in what the engine says happened: review it.

#[test]
fn builtin_traces() {
    for b in farewell_engine::builtin::ALL {
        let trace = farewell_engine::simulate(&b.scenario());
        insta::assert_snapshot!(b.id, trace.to_json_lines());
    }
}
