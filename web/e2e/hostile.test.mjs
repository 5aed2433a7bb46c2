// Hostile links, as anyone could post them in a course forum: each must show a
// message at once (the aim: within a second) and leave the page usable (issue 9). The links are
// built here with node's zlib the way the share crate writes `c`: `z` + base64url
// of the raw DEFLATE'd scenario JSON.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { useApp, SEG } from './harness.mjs';

const app = useApp({ before, after, afterEach });

/**
 * The aim is a message within a second of navigation (0.7 s for the segment
 * limit on a quiet machine; README, Measurements). Timings are measured, not
 * asserted: on a loaded 2-core machine the same page took 1.0–1.6 s, so the
 * tests fail only for what a user would call a frozen tab.
 */
const FROZEN_MS = 5000;

/** The `c` parameter for a scenario object. */
const packed = (scenario) =>
  'z' + zlib.deflateRawSync(Buffer.from(JSON.stringify(scenario)), { level: 9 }).toString('base64url');

const send = (host, bytes) => ({ at_ms: 0, host, do: 'send', bytes });

/** Opens the link and returns the page once a notice is shown, with the ms it took. */
async function openHostile(hash) {
  const page = await app.open({ hash, wait: false });
  const started = await page.evaluate(() => performance.now());
  await page.waitForSelector('[data-testid=notice]', { timeout: 10_000 });
  const shownAt = await page.evaluate(() => performance.now());
  // Navigation start is 0 on the page's clock: the notice's time since then.
  return { page, sinceNavigation: shownAt, sinceEvaluate: shownAt - started };
}

/** The page still works: a built-in can be picked and played to its end. */
async function stillPlays(page) {
  await page.waitForSelector(SEG, { timeout: 5_000 });
  await page.selectOption('[data-testid=scenario-select]', 'lost-fin');
  await page.waitForFunction(() => location.hash.includes('s=lost-fin'));
  await page.selectOption('[data-testid=speed-select]', 'skip');
  await page.click('[data-testid=play]');
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid=scrubber]');
      return s && Number(s.value) >= Number(s.max) - 0.5;
    },
    null,
    { timeout: 30_000 },
  );
  assert.ok((await page.locator(SEG).count()) >= 6, 'the built-in is drawn');
}

test('1,000 sends of 1 MB in a link: refused at once, the page still plays', async () => {
  const hash = `#c=${packed({ actions: Array.from({ length: 1000 }, () => send('A', 1_000_000)) })}`;
  assert.ok(hash.length < 1000, `the link is small (${hash.length} characters)`);
  const { page, sinceNavigation } = await openHostile(hash);
  assert.ok(sinceNavigation < FROZEN_MS, `the message came ${sinceNavigation.toFixed(0)} ms after navigation`);
  const notice = await page.textContent('[data-testid=notice]');
  assert.match(notice, /actions\[2\]\.bytes/);
  assert.match(notice, /work budget allows 2000000 bytes/);
  await stillPlays(page);
});

test('a link that runs into the segment limit is cut short with a message naming the field', async () => {
  const scenario = {
    link: { loss: 0.3 },
    actions: [0, 1].map(() => send('A', 1_000_000)),
  };
  const { page, sinceNavigation } = await openHostile(`#c=${packed(scenario)}`);
  assert.ok(sinceNavigation < FROZEN_MS, `the message came ${sinceNavigation.toFixed(0)} ms after navigation`);
  const notice = await page.textContent('[data-testid=notice]');
  assert.match(notice, /link\.loss/);
  assert.match(notice, /2500 segments/);
  await page.waitForSelector(SEG, { timeout: 5_000 });
  await stillPlays(page);
});

test('a huge unknown key in a link is quoted short', async () => {
  const scenario = { actions: [] };
  scenario['x'.repeat(20_000)] = 1;
  const { page } = await openHostile(`#c=${packed(scenario)}`);
  const notice = await page.textContent('[data-testid=notice]');
  assert.ok(notice.length < 400, `the notice is short (${notice.length} characters)`);
  await stillPlays(page);
});
