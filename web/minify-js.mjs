// Trunk's post_build hook (Trunk.toml): in release builds, minifies the
// JavaScript wasm-bindgen wrote (46 KB as written, 20 KB minified; 2 KB less
// gzipped) and updates its integrity hash in index.html.
//
// Trunk 0.21 would do this itself, but its minifier fails on wasm-bindgen's
// `export default` (trunk-rs/trunk#1044) and leaves the file as written.
// terser is installed pinned by `cargo xtask serve` / `cargo xtask test` into
// $FAREWELL_TOOLS (default ~/.farewell-tools), like binaryen's wasm-opt.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('minify-js: TRUNK_STAGING_DIR is not set (this script runs as a trunk hook)');
  process.exit(1);
}
const tools = process.env.FAREWELL_TOOLS ?? join(homedir(), '.farewell-tools');
let minify;
try {
  ({ minify } = createRequire(join(tools, 'node_modules', 'x.js'))('terser'));
} catch {
  console.warn(
    `minify-js: terser is not installed in ${tools}; the JavaScript stays unminified ` +
      '(run `cargo xtask serve` or `cargo xtask test` once to install it).',
  );
  process.exit(0);
}

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const indexPath = join(staging, 'index.html');
let index = readFileSync(indexPath, 'utf8');
for (const name of readdirSync(staging).filter((f) => f.endsWith('.js'))) {
  const path = join(staging, name);
  const source = readFileSync(path);
  // `module`: it is an ES module; top-level names are exports or private.
  // ecma 2020 (arrow functions and the like; every browser the page supports
  // runs it): about 30 B less gzipped per file.
  const { code } = await minify(source.toString('utf8'), {
    module: true,
    ecma: 2020,
    compress: { ecma: 2020, passes: 3, unsafe_arrows: true, unsafe_methods: true },
    mangle: true,
    format: { ecma: 2020 },
  });
  writeFileSync(path, code);
  const before = sri(source);
  if (index.includes(before)) index = index.replaceAll(before, sri(Buffer.from(code)));
  console.log(`minify-js: ${name} ${source.length} -> ${Buffer.byteLength(code)} bytes`);
}
writeFileSync(indexPath, index);
