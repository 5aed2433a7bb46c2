//! A capture dropped on the page or picked for import opens the capture view,
//! a wasm module of its own (`crates/capture-web`), `import()`ed only then, so
//! the playground's first load carries none of the capture reader. Kept to a
//! few hundred bytes of the first load: one JavaScript function
//! (`capture.js`, which wasm-bindgen ships as a snippet file the glue
//! imports) that reads the file's first four bytes and, for a pcap or pcapng
//! magic number (µs or ns, either byte order, the Kuznetsov variant the view
//! refuses with its own message; `farewell_capture::Reader`'s `detect`),
//! imports the loader that `web/version-capture.mjs` writes (it names the
//! module's files with the build's hash; the loader itself is fetched with a
//! fresh query, so no cache serves an old one, from the page's address, as
//! the snippet lives under `snippets/`). A module's `import()` needs no
//! `eval`, so the page works under a Content-Security-Policy without
//! `'unsafe-eval'` (`web/e2e/csp.test.mjs`). The view's "Replay in the
//! simulator" hands its scenario back as a file picked in the import input,
//! so it takes the same path as any scenario file.
//!
//! The function, unminified:
//!
//! ```js
//! export function openIfCapture(f) {
//!   return f.slice(0, 4).arrayBuffer().then((b) =>
//!     b.byteLength > 3 &&
//!     // The first 4 bytes, read big-endian, in hex.
//!     /^(a1b2(c3d4|3c4d|cd34)|(d4c3|4d3c|34cd)b2a1|a0d0d0a)$/.test(new DataView(b).getUint32(0).toString(16)) &&
//!     import(new URL('farewell-capture-load.mjs?t=' + Date.now(), document.baseURI))
//!       .then((m) => m.default(f))
//!       .then(() => true, (e) => 'Could not open the capture view (' + e + '). The current scenario is unchanged.'));
//! }
//! ```

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/capture.js")]
extern "C" {
    #[wasm_bindgen(js_name = openIfCapture)]
    fn open_if_capture(f: &web_sys::File) -> Promise;
}

/// Opens `file` in the capture view if it is a capture: `true` when it did,
/// a string saying why it could not, anything else when it is no capture.
pub async fn opened(file: &web_sys::File) -> JsValue {
    JsFuture::from(open_if_capture(file))
        .await
        .unwrap_or(JsValue::FALSE)
}
