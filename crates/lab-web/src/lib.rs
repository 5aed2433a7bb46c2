//! The TIME_WAIT lab page (issue 11): knobs, a run taken in slices with a
//! progress bar, the chart, the findings, the remedies and the same run as a
//! `farewell lab` command. Everything it says and draws comes from
//! `farewell-lab-view`; this crate only puts it on the page. The runs happen
//! in a Web Worker ([`worker`]) running this same module, so the main thread
//! never blocks for long.

mod app;
#[cfg_attr(not(test), allow(dead_code))]
mod css;
pub mod wire;
pub mod worker;

/// Stylesheets: the palette and the playground's page styles (the same
/// files, so the lab looks like the playground), the chart's, and the lab's,
/// minified by `build.rs` ([`css`]).
fn add_styles(document: &web_sys::Document) {
    let (Ok(style), Some(head)) = (document.create_element("style"), document.head()) else {
        return;
    };
    style.set_text_content(Some(include_str!(concat!(env!("OUT_DIR"), "/lab.css"))));
    let _ = head.append_child(&style);
}

/// The theme chosen in the playground (remembered in localStorage).
fn apply_stored_theme(document: &web_sys::Document) {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(farewell_web::browser::THEME_KEY).ok().flatten());
    if let (Some(root), Some(theme @ ("light" | "dark"))) =
        (document.document_element(), stored.as_deref())
    {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// Mounts the lab on `<main id="lab">`; in the lab's worker (no window),
/// serves the page's runs instead.
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        worker::register();
        return;
    };
    app::start_worker_early();
    add_styles(&document);
    apply_stored_theme(&document);
    match document.get_element_by_id("lab") {
        Some(el) => yew::Renderer::<app::LabApp>::with_root(el).render(),
        None => yew::Renderer::<app::LabApp>::new().render(),
    };
}
