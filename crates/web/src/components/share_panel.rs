use crate::browser;
use crate::state::{Action, AppState, Notice, Theme};
use farewell_diagram::{render_svg_with, SvgOptions};
use farewell_engine::Scenario;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Largest scenario file accepted for import.
pub const MAX_IMPORT_BYTES: f64 = farewell_engine::scenario::MAX_FILE_BYTES as f64;

pub struct SharePanelProps {
    pub state: Rc<AppState>,
    pub on_action: Callback<Action>,
}

/// A file name from the scenario: `farewell-lost-final-ack`.
fn base_name(state: &AppState) -> String {
    let id = state.share.builtin.clone().unwrap_or_else(|| {
        let slug: String = state
            .share
            .scenario
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug.trim_matches('-').to_string();
        if slug.is_empty() {
            "scenario".to_string()
        } else {
            slug
        }
    });
    format!("farewell-{id}")
}

/// The standalone SVG of what the page shows, in the page's colours.
pub fn export_svg(state: &AppState) -> String {
    let dark = match state.theme {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => browser::prefers_dark(),
    };
    let title = if state.share.scenario.name.is_empty() {
        None
    } else {
        Some(state.share.scenario.name.clone())
    };
    render_svg_with(
        &state.sim.diagram,
        &SvgOptions {
            standalone: true,
            theme: if dark {
                farewell_diagram::Theme::Dark
            } else {
                farewell_diagram::Theme::Light
            },
            title,
        },
    )
}

/// Reads a scenario file the user picked or dropped and imports it; a bad file
/// leaves the current scenario as it is and says what is wrong, naming the field.
/// A capture (told by its first bytes) opens the capture view instead.
pub fn import_file(file: web_sys::File, on_action: Callback<Action>) {
    yew::platform::spawn_local(async move {
        let name = file.name();
        let capture = crate::capture::opened(&file).await;
        if let Some(why) = capture.as_string() {
            return on_action.emit(Action::ShowNotice(Notice::error(why)));
        }
        if capture.is_truthy() {
            return;
        }
        let action = match browser::read_file(&file, MAX_IMPORT_BYTES).await {
            // `farewell_json` (the browser's JSON.parse), not
            // `Scenario::from_json`: serde_json and its field-path errors would
            // cost ~20 KB gzipped of wasm. The messages still name unknown
            // fields and wrong values; `Action::Import` then runs
            // `Scenario::validate`, which names the field at fault.
            Ok(text) => match farewell_json::from_str::<Scenario>(&text) {
                Ok(scenario) => Action::Import(Box::new(scenario)),
                Err(e) => Action::ShowNotice(Notice::not_imported(&name, &e.to_string())),
            },
            Err(e) => Action::ShowNotice(Notice::not_imported(&name, &e.to_string())),
        };
        on_action.emit(action);
    });
}

/// Share and export: copy the link, download the diagram (SVG, PNG), the trace
/// as a pcap, the scenario as JSON, and import a scenario file.
pub fn share_panel(props: &SharePanelProps) -> Html {
    let state = props.state.clone();
    let on_action = props.on_action.clone();
    let notify = {
        let on_action = on_action.clone();
        move |r: Result<(), String>| {
            if let Err(e) = r {
                on_action.emit(Action::ShowNotice(Notice::export_failed(&e)));
            }
        }
    };
    let copy = {
        let (state, on_action) = (state.clone(), on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let url = browser::url_with_fragment(&state.link());
            let on_action = on_action.clone();
            yew::platform::spawn_local(async move {
                let msg = match browser::copy_text(&url).await {
                    Ok(()) => Notice::link_copied(),
                    Err(e) => Notice::copy_failed(&e, &url),
                };
                on_action.emit(Action::ShowNotice(msg));
            });
        })
    };
    let svg = {
        let (state, notify) = (state.clone(), notify.clone());
        Callback::from(move |_: MouseEvent| {
            let name = format!("{}.svg", base_name(&state));
            notify(browser::download(
                export_svg(&state).as_bytes(),
                "image/svg+xml",
                &name,
            ));
        })
    };
    let png = {
        let (state, on_action) = (state.clone(), on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let svg = export_svg(&state);
            let (w, h) = (state.sim.diagram.width, state.sim.diagram.height);
            let name = format!("{}.png", base_name(&state));
            let on_action = on_action.clone();
            yew::platform::spawn_local(async move {
                if let Err(e) = browser::download_png(&svg, w, h, 2.0, &name).await {
                    on_action.emit(Action::ShowNotice(Notice::export_failed(&e)));
                }
            });
        })
    };
    let pcap = {
        let (state, notify) = (state.clone(), notify.clone());
        Callback::from(move |_: MouseEvent| {
            let name = format!("{}.pcap", base_name(&state));
            let r = farewell_export::pcap(&state.sim.trace, &state.share.scenario)
                .map_err(|e| e.to_string())
                .and_then(|bytes| browser::download(&bytes, "application/vnd.tcpdump.pcap", &name));
            notify(r);
        })
    };
    let json = {
        let (state, notify) = (state.clone(), notify.clone());
        Callback::from(move |_: MouseEvent| {
            let name = format!("{}.json", base_name(&state));
            notify(
                state
                    .share
                    .scenario
                    .to_json_pretty()
                    .map_err(|e| format!("the scenario has no JSON form here: {e}"))
                    .and_then(|text| browser::download(text.as_bytes(), "application/json", &name)),
            );
        })
    };
    let import = {
        let on_action = on_action.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                import_file(file, on_action.clone());
            }
            // The same file can be picked again after fixing it.
            input.set_value("");
        })
    };
    html! {
        <section class="panel share-panel" aria-labelledby="share-title">
            <h2 id="share-title" class="panel-title">{ "Share & export" }</h2>
            <div class="button-row">
                <button type="button" class="button primary" data-testid="copy-link" onclick={copy}>{ "Copy link" }</button>
            </div>
            <div class="button-row" role="group" aria-label="Download">
                <button type="button" class="button" data-testid="export-svg" onclick={svg} title="The diagram as a standalone SVG file">{ "SVG" }</button>
                <button type="button" class="button" data-testid="export-png" onclick={png} title="The diagram as a PNG picture">{ "PNG" }</button>
                <button type="button" class="button" data-testid="export-pcap" onclick={pcap} title="The trace as a capture file for Wireshark or tcpdump">{ "pcap" }</button>
                <button type="button" class="button" data-testid="export-json" onclick={json} title="The scenario as a JSON file">{ "JSON" }</button>
            </div>
            <label class="import">
                <span>{ "Import a scenario file or a capture (or drop it on the page)" }</span>
                <input type="file" accept=".json,application/json,.pcap,.pcapng,.cap" data-testid="import" onchange={import}/>
            </label>
        </section>
    }
}
