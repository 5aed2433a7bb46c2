// The release build under a strict Content-Security-Policy: no inline
// script, no eval, only the site's own scripts and its wasm
// (`script-src 'self' 'wasm-unsafe-eval'`). The playground starts, and a
// dropped capture opens the capture view (its module import()ed without
// `new Function`, its worker a file of the site, not a blob: URL). A
// violation would be a console error, which fails the test (harness.mjs),
// and is recorded here too. Run by `cargo xtask test`.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useApp, SEG } from './harness.mjs';

const CSP = "script-src 'self' 'wasm-unsafe-eval'";
const app = useApp({ before, after, afterEach, headers: { 'content-security-policy': CSP } });

/** Records every CSP violation the page reports, from its start. */
async function watchViolations(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}

test('the playground runs and opens a capture under a CSP without unsafe-eval or inline scripts', async () => {
  const page = await app.open({ wait: false });
  await watchViolations(page);
  await page.reload();
  // The server did send the policy.
  const response = await page.request.get(app.server.url);
  assert.equal(response.headers()['content-security-policy'], CSP);
  await page.waitForSelector(SEG, { timeout: 60_000 });

  const bytes = await fs.readFile(new URL('./fixtures/handshake-fin-lost-twice.pcap', import.meta.url));
  const data = await page.evaluateHandle((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'fin-lost-twice.pcap', { type: 'application/vnd.tcpdump.pcap' }));
    return dt;
  }, [...bytes]);
  await page.dispatchEvent('div.app', 'drop', { dataTransfer: data });
  await page.waitForSelector('#capture-view [data-testid=capture-svg]', { timeout: 60_000 });
  assert.equal(await page.locator('#capture-view .seg').count(), 11);
  assert.match(await page.textContent('[data-testid=capture-narration]'), /retransmitted 2 times/);
  const fetched = app.server.log.map((l) => l.path);
  assert.ok(fetched.some((p) => p.endsWith('farewell-capture-worker.mjs')), fetched.join('\n'));
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
});
