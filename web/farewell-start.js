// Starts the playground: imports wasm-bindgen's glue and loads the wasm,
// whose file names (with the build's hash) trunk writes on this script's
// element (Trunk.toml's pattern_script). trunk's own starter is an inline
// script, which a Content-Security-Policy without 'unsafe-inline' blocks;
// this is a file of the site, so `script-src 'self' 'wasm-unsafe-eval'`
// lets it run (web/e2e/csp.test.mjs).
const s = document.querySelector('script[data-farewell-js]');
const m = await import(s.dataset.farewellJs);
await m.default({ module_or_path: s.dataset.farewellWasm });
