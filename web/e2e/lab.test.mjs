// The TIME_WAIT lab page (issue 11), in the release build: its own wasm
// module, never loaded by the playground; a run to its findings; knobs that
// rerun it and keep the link; bad links and bad fields refused with a message;
// remedies tried; a long run, in the lab's Web Worker, that shows progress and
// can be replaced midway; the per-second table a minute at a time; axe in
// both themes. Run by `cargo xtask test`.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { useApp, SEG } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const app = useApp({ before, after, afterEach });

const FINDINGS = '.findings';
const findings = (page) => page.textContent(FINDINGS);

/** Opens lab.html with `hash` and waits for the run's findings. */
async function openLab(hash = '') {
  const page = await app.open({ path: 'lab.html', hash, wait: false });
  await page.waitForSelector(FINDINGS, { timeout: 60_000 });
  return page;
}

/** Waits until every remedy has been run. */
const remediesDone = (page) =>
  page.waitForFunction(() => document.querySelector('table.remedies') && !document.querySelector('td.pending'), null, {
    timeout: 120_000,
  });

test('the playground never loads the lab, and links to it', async () => {
  const before = app.server.log.length;
  const page = await app.open();
  const loaded = app.server.log.slice(before).map((l) => l.path);
  assert.ok(loaded.some((p) => p.includes('farewell-web-')), loaded.join('\n'));
  assert.ok(!loaded.some((p) => p.includes('farewell-lab-web')), `the first load fetched the lab: ${loaded.join('\n')}`);
  await Promise.all([page.waitForURL(/lab\.html/), page.click('nav.views a[href="lab.html"]')]);
  await page.waitForSelector(FINDINGS, { timeout: 60_000 });
  assert.ok(app.server.log.some((l) => l.path.endsWith('farewell-lab-web_bg.wasm') && l.status === 200));
  // The fixed file names carry the build's version (web/version-lab.mjs).
  const html = await page.content();
  assert.match(html, /farewell-lab-web\.js\?v=[0-9a-f]{16}/);
  assert.ok(!html.includes('__LAB_VERSION__'));
});

test('the default lab runs out of ports at 28.2 s and says why', async () => {
  const page = await openLab();
  const text = await findings(page);
  assert.match(text, /The client ran out of ports: 31,768 connect\(\) calls failed with EADDRNOTAVAIL, the first at 28\.2 s/);
  assert.match(text, /tcp_tw_reuse is 2, Linux's default/);
  assert.match(await page.textContent('.lab-stats'), /client ports in use\s*28,232\s*of 28,232/);
  assert.equal(await page.locator('svg.lab-chart polyline.tw-client').count(), 1);
  assert.equal(await page.textContent('.command code'), 'farewell lab --format text');
});

test('a knob reruns the lab, the link keeps it, and Back undoes it', async () => {
  const page = await openLab();
  await page.selectOption('#knob-tw-reuse', '1');
  await page.waitForFunction(() => location.hash === '#tw-reuse=1');
  await page.waitForFunction(() => document.querySelector('.findings')?.textContent.includes('tcp_tw_reuse = 1 let'), null, { timeout: 60_000 });
  assert.equal(await page.textContent('.command code'), 'farewell lab --tw-reuse 1 --format text');
  await page.goBack();
  await page.waitForFunction(() => location.hash === '' && document.querySelector('#knob-tw-reuse').value === '2');
  await page.waitForFunction(() => document.querySelector('.findings')?.textContent.includes('ran out of ports'), null, { timeout: 60_000 });
});

test('a field that does not read says why and changes nothing', async () => {
  const page = await openLab();
  await page.fill('#knob-rate', 'lots');
  await page.press('#knob-rate', 'Tab');
  await page.waitForSelector('#knob-rate[aria-invalid=true]');
  assert.match(await page.textContent('#knob-rate-hint'), /Not used: a whole number in range, not `lots`\./);
  assert.equal(await page.evaluate(() => location.hash), '');
  await page.fill('#knob-rate', '200000');
  await page.press('#knob-rate', 'Tab');
  await page.waitForFunction(() => document.querySelector('#knob-rate-hint').textContent.includes('must be 1 to 100000 per second, got 200000'));
  await page.fill('#knob-rate', '100');
  await page.press('#knob-rate', 'Tab');
  await page.waitForFunction(() => location.hash === '#rate=100' && !document.querySelector('#knob-rate[aria-invalid]'));
});

for (const [hash, message] of [
  ['#rate=0', /rate: must be 1 to 100000 per second, got 0/],
  ['#colour=red', /link: no knob `colour`/],
  [`#rate=${'9'.repeat(3000)}`, /a lab link is at most 1024/],
  ['#loss=NaN&rate=5', /loss: a number, not `NaN`/],
]) {
  test(`a bad lab link (${hash.slice(0, 24)}) is refused and the lab runs its defaults`, async () => {
    const page = await openLab(hash);
    assert.match(await page.textContent('[role=alert]'), message);
    assert.match(await findings(page), /ran out of ports/);
  });
}

test('a remedy is tried on the run and can be applied', async () => {
  const page = await openLab();
  await remediesDone(page);
  const keepAlive = page.locator('table.remedies tr', { hasText: 'Keep-alive' });
  assert.match(await keepAlive.textContent(), /0 \(was 31,768\)/);
  await keepAlive.locator('button').click();
  await page.waitForFunction(() => location.hash === '#requests-per-connection=10');
  await page.waitForFunction(() => document.querySelector('.findings')?.textContent.includes('No connect() failed'), null, { timeout: 60_000 });
});

test('a long run shows its progress, draws as it goes and can be replaced midway', async () => {
  const page = await app.open({ path: 'lab.html', hash: '#rate=100000&duration=600&closer=server', wait: false });
  // The progress bar is shown while the chart fills in.
  await page.waitForSelector('.lab-progress progress', { timeout: 30_000 });
  await page.waitForFunction(() => /Replaying second \d+ of 600/.test(document.querySelector('.lab-progress').textContent), null, { timeout: 30_000 });
  assert.equal(await page.locator('svg.lab-chart rect.pending').count(), 1, 'the seconds to come are shaded');
  // The run is in the lab's Web Worker, not on the page's main thread.
  assert.equal(page.workers().length, 1, 'one Web Worker runs the lab');
  // The page answers while it runs: a preset replaces the run.
  await page.selectOption('.preset select', 'steady');
  await page.waitForFunction(() => location.hash === '#rate=200&duration=120');
  await page.waitForFunction(() => document.querySelector('.findings')?.textContent.includes('about 12,000 sockets wait'), null, { timeout: 60_000 });
});

test('the per-second table is there for those who want the numbers', async () => {
  const page = await openLab('#rate=200&duration=120');
  await page.click('.per-second summary');
  // A minute at a time (600 rows at once held the main thread too long).
  await page.waitForFunction(() => document.querySelectorAll('.per-second tbody tr').length === 60);
  assert.equal(await page.textContent('.table-pages span'), 'Seconds 0–59 of 120');
  assert.ok(await page.isDisabled('.table-pages button:has-text("Previous minute")'));
  await page.click('.table-pages button:has-text("Next minute")');
  await page.waitForFunction(() => document.querySelector('.table-pages span').textContent === 'Seconds 60–119 of 120');
  assert.equal(await page.locator('.per-second tbody tr').count(), 60);
  assert.match(await page.textContent('.per-second tbody tr:nth-child(60)'), /119\s*\d/);
  assert.ok(await page.isDisabled('.table-pages button:has-text("Next minute")'));
});

test('the readout follows the chosen second on the chart, by pointer and by keys', async () => {
  const page = await openLab();
  const readout = () => page.textContent('#lab-readout');
  assert.match(await readout(), /Point at the chart/);
  assert.equal(await page.getAttribute('#lab-readout', 'aria-live'), 'polite');
  // The pointer over the chart, a little before 40 s on its axis.
  const box = await page.locator('.lab-chart-wrap svg').boundingBox();
  const at = (t) => box.x + (box.width * (64 + (546 * t) / 60)) / 760;
  await page.mouse.move(at(39.5), box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector('#lab-readout').textContent.startsWith('At 40 s:'));
  assert.match(await readout(), /on the client, ss -tan state time-wait \| wc -l gives [\d,]+ \([\d,]+ \+ the header line\)/);
  assert.match(await readout(), /28,232 of 28,232 client ports in use/);
  assert.equal(await page.locator('svg.lab-chart line.cursor').count(), 1);
  // The keys move it a second at a time.
  await page.focus('.lab-chart-wrap');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('#lab-readout').textContent.startsWith('At 41 s:'));
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#lab-readout').textContent.startsWith('At 1 s:'));
  assert.match(await readout(), /1,000 connect\(\) calls, 0 failed/);
});

test('a drilled-down connection opens as a sequence diagram in the main view', async () => {
  // One that reused a TIME_WAIT port: the tw-reuse built-in on the lab's link.
  const page = await openLab('#tw-reuse=1');
  const reused = page.locator('.lab-drill a', { hasText: 'reused a TIME_WAIT port' });
  await Promise.all([page.waitForURL(/index\.html#s=tw-reuse&d=0\.5/), reused.click()]);
  await page.waitForSelector(SEG, { timeout: 60_000 });
  assert.equal((await page.textContent('[data-testid=scenario-select] option:checked')).trim(), 'tw_reuse reconnects');
  assert.ok((await page.locator(SEG).count()) >= 8, 'two connections on one port');
  // A click on the chart opens the connection from that second.
  const lab = await openLab();
  const box = await lab.locator('.lab-chart-wrap svg').boundingBox();
  const x = box.x + (box.width * (64 + (546 * 4.5) / 60)) / 760;
  await Promise.all([lab.waitForURL(/index\.html#c=/), lab.mouse.click(x, box.y + box.height / 2)]);
  await lab.waitForSelector(SEG, { timeout: 60_000 });
  assert.match(await lab.textContent('[data-testid=scenario-description]'), /connect\(\) number 4,001 of the TIME_WAIT lab, opened at 4 s/);
  assert.ok((await lab.locator(`${SEG}.fin`).count()) >= 2, 'its close is drawn');
  // The connection that held a port when connect() failed, at that moment.
  const failing = await openLab();
  await Promise.all([
    failing.waitForURL(/index\.html#c=.*&t=28/),
    failing.locator('.lab-drill a', { hasText: 'when connect() failed at 28.2 s' }).click(),
  ]);
  await failing.waitForSelector(SEG, { timeout: 60_000 });
});

/** Serious or critical axe violations on `page`, one line each. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  await page.waitForTimeout(300);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
}

for (const colorScheme of ['light', 'dark']) {
  test(`axe: the lab embedded, chart, findings and remedies shown (${colorScheme})`, async () => {
    const page = await openLab('#rate=5000&closer=server&embed=1');
    await page.emulateMedia({ colorScheme });
    assert.equal(await page.locator('[data-embed]').count(), 1, 'the embed view');
    await remediesDone(page);
    assert.deepEqual(await axeViolations(page), []);
  });

  test(`axe: the lab with its results (${colorScheme})`, async () => {
    const page = await openLab('#restart-at=20&closer=server&rate=100&duration=120');
    await page.emulateMedia({ colorScheme });
    await remediesDone(page);
    assert.deepEqual(await axeViolations(page), []);
  });
}
