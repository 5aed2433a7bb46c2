// Trunk's post_build hook (Trunk.toml): the lab's module has fixed file names
// (trunk's "worker" type, so lab.html can name them), which a browser or a
// course site's CDN would keep serving from cache after an update. This puts
// a hash of the module's files into lab.html's URLs for them (`?v=…`), so a
// new build is fetched anew and the JavaScript and the wasm always match.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('version-lab: TRUNK_STAGING_DIR is not set (this script runs as a trunk hook)');
  process.exit(1);
}
const hash = createHash('sha256');
for (const f of ['farewell-lab-web.js', 'farewell-lab-web_bg.wasm']) hash.update(readFileSync(join(staging, f)));
const version = hash.digest('hex').slice(0, 16);
const page = join(staging, 'lab.html');
const html = readFileSync(page, 'utf8');
if (!html.includes('__LAB_VERSION__')) {
  console.error('version-lab: lab.html has no __LAB_VERSION__ placeholder');
  process.exit(1);
}
writeFileSync(page, html.replaceAll('__LAB_VERSION__', version));
console.log(`version-lab: lab.html names the lab module version ${version}`);
