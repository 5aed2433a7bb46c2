use crate::state::{Action, Sim};
use yew::prelude::*;

/// The diagram as a table (`farewell_diagram::diagram_table`, as markup by
/// `table_html`) behind a disclosure button, following the playhead. Rows are
/// built only while it is open; a long trace shows a window around the
/// playhead, as the tcpdump log does.
pub fn diagram_table(sim: &Sim, t: f64, open: bool, on_action: &Callback<Action>) -> Html {
    let on_action = on_action.clone();
    let onclick = Callback::from(move |_| on_action.emit(Action::ToggleTable));
    let table = open.then(|| {
        let rows = sim.table();
        let window = crate::state::log_window(rows.len(), farewell_diagram::current_row(rows, t));
        let mut m = String::new();
        if window.len() < rows.len() {
            m = format!(
                r#"<p class="hint">{}</p>"#,
                crate::state::log_window_note(&window, rows.len())
            );
        }
        m += &farewell_diagram::table_html(rows, window, t);
        Html::from_html_unchecked(m.into())
    });
    html! {
        <section class="panel table-panel" aria-label="Diagram as a table">
            <button type="button" class="small" aria-expanded={open.to_string()}
                aria-controls="diagram-table" data-testid="table-toggle" {onclick}>
                { "Diagram as a table" }
            </button>
            // A scroll box of its own (so it takes keyboard focus when open);
            // the diagram's playback effect keeps the current row in view.
            <div id="diagram-table" tabindex={open.then_some("0")}>{ for table }</div>
        </section>
    }
}
