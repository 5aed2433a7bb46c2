// Trunk's post_build hook (Trunk.toml): writes the two small scripts of the
// capture view (crates/capture-web), which has fixed file names (trunk's
// "worker" type) that a browser or a CDN would keep serving from cache after
// an update, so both name them with a hash of the wasm (`?v=…`):
//
// * farewell-capture-load.mjs, which the playground imports when a capture is
//   dropped or picked (crates/web/src/capture.js, with a fresh query each
//   time, so it is never stale): it loads the module on the page and opens
//   the view;
// * farewell-capture-worker.mjs, the view's Web Worker (a module worker the
//   page starts for each file): the same module, which in a worker serves
//   the page (crates/capture-web/src/worker.rs).
//
// Both are files of the site, not blob: URLs, so a Content-Security-Policy of
// `script-src 'self' 'wasm-unsafe-eval'` lets them run. trunk runs a stage's
// hooks at the same time: this reads only the wasm (which minify-js.mjs
// leaves alone) and writes only its own files.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('version-capture: TRUNK_STAGING_DIR is not set (this script runs as a trunk hook)');
  process.exit(1);
}
const version = createHash('sha256')
  .update(readFileSync(join(staging, 'farewell-capture-web_bg.wasm')))
  .digest('hex')
  .slice(0, 16);
const wasm = `new URL('./farewell-capture-web_bg.wasm?v=${version}', import.meta.url)`;
const loader = `// Written by web/version-capture.mjs at build time.
export default async function open(file) {
  const m = await import('./farewell-capture-web.js?v=${version}');
  await m.default({ module_or_path: ${wasm} });
  m.open_capture(file, new URL('./farewell-capture-worker.mjs?v=${version}', import.meta.url).href);
}
`;
const worker = `// Written by web/version-capture.mjs at build time: the capture view's worker.
import init from './farewell-capture-web.js?v=${version}';
init({ module_or_path: ${wasm} });
`;
writeFileSync(join(staging, 'farewell-capture-load.mjs'), loader);
writeFileSync(join(staging, 'farewell-capture-worker.mjs'), worker);
console.log(`version-capture: farewell-capture-load.mjs and farewell-capture-worker.mjs name the capture module version ${version}`);
