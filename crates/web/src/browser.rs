//! The few browser services the playground needs, each wrapped once: the URL
//! fragment and history, file downloads, the clipboard, reading dropped or
//! picked files, rasterising an SVG to PNG, and telling an embedding page our
//! height. Failures come back as `Err(String)` worded for the user.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn window() -> Result<web_sys::Window, String> {
    web_sys::window().ok_or_else(|| "no browser window".to_string())
}

fn js_err(what: &str, e: JsValue) -> String {
    let detail = e
        .as_string()
        .or_else(|| js_sys::Error::from(e).message().as_string())
        .unwrap_or_default();
    if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {detail}")
    }
}

/// The localStorage key of the theme choice (`system`, `light`, `dark`),
/// shared by the playground and the lab page.
pub const THEME_KEY: &str = "farewell-theme";

/// The localStorage key of the narration announcement switch (`on`, `off`).
pub const ANNOUNCE_KEY: &str = "farewell-announce";

/// localStorage key of fit mode (`on`/`off`).
pub const FIT_KEY: &str = "farewell-fit";

/// The page's localStorage, if the browser allows it.
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The current URL fragment without `#` (empty if none).
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// Sets the URL fragment: a new history entry (`push`, for an edit, so Back
/// undoes it) or in place (playback position).
pub fn set_fragment(fragment: &str, push: bool) {
    let Ok(w) = window() else { return };
    let Ok(history) = w.history() else { return };
    let url = format!("#{fragment}");
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

/// The page's URL with `fragment`, for "Copy link".
pub fn url_with_fragment(fragment: &str) -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    format!("{base}#{fragment}")
}

fn blob(bytes: &[u8], mime: &str) -> Result<web_sys::Blob, String> {
    let parts = Array::new();
    parts.push(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| js_err("cannot make the file", e))
}

/// Offers the file at `href` (an object or data URL) for download as `filename`.
fn save_as(href: &str, filename: &str) -> Result<(), String> {
    let document = window()?.document().ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_err("cannot download", e))?
        .unchecked_into();
    a.set_href(href);
    a.set_download(filename);
    a.click();
    Ok(())
}

fn download_blob(blob: &web_sys::Blob, filename: &str) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob)
        .map_err(|e| js_err("cannot make the file", e))?;
    let saved = save_as(&url, filename);
    let _ = web_sys::Url::revoke_object_url(&url);
    saved
}

/// Offers `bytes` as a file download.
pub fn download(bytes: &[u8], mime: &str, filename: &str) -> Result<(), String> {
    download_blob(&blob(bytes, mime)?, filename)
}

/// Draws `svg` (a standalone SVG document `width`×`height`) on a canvas at
/// `scale` and offers it as a PNG download.
pub async fn download_png(
    svg: &str,
    width: f64,
    height: f64,
    scale: f64,
    filename: &str,
) -> Result<(), String> {
    let svg_blob = blob(svg.as_bytes(), "image/svg+xml")?;
    let url = web_sys::Url::create_object_url_with_blob(&svg_blob)
        .map_err(|e| js_err("cannot render the picture", e))?;
    let img =
        web_sys::HtmlImageElement::new().map_err(|e| js_err("cannot render the picture", e))?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        img.set_onload(Some(&resolve));
        img.set_onerror(Some(&reject));
    });
    img.set_src(&url);
    let result = JsFuture::from(loaded).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    result.map_err(|_| "the browser could not draw the SVG".to_string())?;
    let document = window()?.document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|e| js_err("cannot make a canvas", e))?
        .unchecked_into();
    canvas.set_width((width * scale).round() as u32);
    canvas.set_height((height * scale).round() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|e| js_err("no 2D canvas", e))?
        .ok_or("no 2D canvas")?
        .unchecked_into();
    ctx.scale(scale, scale).map_err(|e| js_err("canvas", e))?;
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, width, height)
        .map_err(|e| js_err("cannot draw the picture", e))?;
    let data_url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|e| js_err("cannot encode the PNG", e))?;
    save_as(&data_url, filename)
}

/// Copies `text` to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let clipboard = window()?.navigator().clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| js_err("the browser refused the clipboard", e))
}

/// The text of a file the user picked or dropped (at most `max_bytes`).
pub async fn read_file(file: &web_sys::File, max_bytes: f64) -> Result<String, String> {
    if file.size() > max_bytes {
        return Err(format!(
            "{} is {} KB; a scenario file is at most {} KB",
            file.name(),
            farewell_num::Fixed(file.size() / 1024.0, 0),
            farewell_num::Fixed(max_bytes / 1024.0, 0)
        ));
    }
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| js_err("cannot read the file", e))?;
    text.as_string()
        .ok_or_else(|| format!("{} is not a text file", file.name()))
}

/// Tells the page embedding us in an iframe how tall we are, so it can size
/// the iframe: `{type: "farewell:height", height}` via `postMessage`.
pub fn post_height() {
    let Some(w) = web_sys::window() else { return };
    let Ok(Some(parent)) = w.parent() else { return };
    if parent == w {
        return;
    }
    // The body's own height: the document's is never less than the iframe,
    // so it could grow but never shrink. Rounded up, so no scrollbar appears
    // for a fraction of a pixel.
    let Some(body) = w.document().and_then(|d| d.body()) else {
        return;
    };
    let height = body.get_bounding_client_rect().height().ceil();
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"type".into(), &"farewell:height".into());
    let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
    let _ = parent.post_message(&msg, "*");
}

/// Whether the page is shown in dark colours now (the theme choice, or the
/// system's when it follows the system).
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}
