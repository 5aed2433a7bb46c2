// Trunk's post_build hook (Trunk.toml): writes farewell-capture-load.mjs, the
// small loader the playground imports when a capture is dropped or picked
// (crates/web/src/capture.rs). The capture view's module has fixed file names
// (trunk's "worker" type), which a browser or a CDN would keep serving from
// cache after an update, so the loader names them with a hash of the wasm
// (`?v=…`); the playground imports the loader itself with a fresh query each
// time, so it is never stale. trunk runs a stage's hooks at the same time:
// this reads only the wasm (which minify-js.mjs leaves alone) and writes only
// its own file.

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
const loader = `// Written by web/version-capture.mjs at build time.
export default async function open(file) {
  const m = await import('./farewell-capture-web.js?v=${version}');
  await m.default({ module_or_path: new URL('./farewell-capture-web_bg.wasm?v=${version}', import.meta.url) });
  m.open_capture(file);
}
`;
writeFileSync(join(staging, 'farewell-capture-load.mjs'), loader);
console.log(`version-capture: farewell-capture-load.mjs names the capture module version ${version}`);
