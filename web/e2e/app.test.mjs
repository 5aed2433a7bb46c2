// The release build, served under a sub-path, used as a student would: pick a
// scenario, drop a segment, change platform, play, step, use the keyboard.
// Run by `cargo xtask test` (node's built-in test runner, headless Chromium).

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { useApp, DIAGRAM, SEG } from './harness.mjs';

const app = useApp({ before, after, afterEach });
const open = (viewport) => app.open({ viewport });

const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));
const count = (page, sel) => page.locator(sel).count();
/** Each host's states on the diagram, in order: ["A ESTABLISHED", "A FIN_WAIT_1", …]. */
const bands = (page) =>
  page.$$eval(`${DIAGRAM} g.band`, (els) =>
    els.map((e) => `${e.classList.contains('host-a') ? 'A' : 'B'} ${e.dataset.state}`),
  );
const countdown = async (page) => Number(await page.textContent('[data-testid=countdown-seconds]'));
const clock = async (page) => parseFloat(await page.textContent('[data-testid=clock]'));
const playing = async (page) => (await page.getAttribute('[data-testid=play]', 'aria-pressed')) === 'true';

test('loads from a sub-path with relative URLs and draws the close', async () => {
  const page = await open();
  assert.match(await page.title(), /Farewell/);
  assert.ok((await count(page, SEG)) >= 4, 'a close has at least four segments');
  assert.ok((await count(page, `${SEG}.fin`)) >= 2, 'both FINs are drawn');
  // Everything the page fetched came from under the sub-path, and was there.
  const fetched = app.server.log.filter((r) => r.path !== '/favicon.ico');
  assert.ok(fetched.some((r) => r.path.endsWith('.wasm')), 'the wasm was fetched');
  for (const r of fetched) {
    assert.ok(r.path.startsWith(app.cfg.subPath), `${r.path} is outside ${app.cfg.subPath}`);
    assert.equal(r.status, 200, `${r.path} answered ${r.status}`);
  }
  assert.ok((await bands(page)).includes('A TIME_WAIT'), 'the active closer ends in TIME_WAIT');
});

test('picking "Lost final ACK" shows the lost ACK and the retransmitted FIN', async () => {
  const page = await open();
  const before = await texts(page, '[data-testid=scenario-description]');
  assert.equal(await count(page, `${SEG}.dropped`), 0, 'the normal close loses nothing');
  await page.selectOption('[data-testid=scenario-select]', 'lost-final-ack');
  assert.equal((await page.textContent('[data-testid=scenario-select] option:checked')).trim(), 'Lost final ACK');
  await page.waitForSelector(`${SEG}.dropped .cross`);
  assert.notDeepEqual(await texts(page, '[data-testid=scenario-description]'), before);
  assert.ok((await count(page, `${SEG}.retransmission.fin`)) >= 1, 'B sends its FIN again');
  assert.ok((await count(page, `${SEG}.dropped.ack`)) >= 1, 'the lost segment is an ACK');
});

test('clicking a delivered segment drops it: a ✕ appears and the states change', async () => {
  const page = await open();
  // In the normal close, B's ACK of A's FIN (the second ACK from B) moves A from
  // FIN_WAIT_1 to FIN_WAIT_2. Without it, B's FIN (which carries the same ACK)
  // takes A from FIN_WAIT_1 straight to TIME_WAIT.
  const statesBefore = await bands(page);
  assert.ok(statesBefore.includes('A FIN_WAIT_2'), statesBefore.join(', '));
  const ack = page.locator(`${SEG}.ack.host-b`).nth(1);
  const id = await ack.getAttribute('data-seg-id');
  await ack.click();
  const dropped = page.locator(`${SEG}.dropped`);
  await dropped.first().waitFor();
  assert.equal(await dropped.count(), 1);
  assert.equal(await dropped.getAttribute('data-seg-id'), id, 'the clicked segment is the lost one');
  assert.equal(await count(page, `${SEG}.dropped .cross`), 1, 'one ✕');
  const statesAfter = await bands(page);
  assert.ok(!statesAfter.includes('A FIN_WAIT_2'), statesAfter.join(', '));
  assert.ok(statesAfter.includes('A TIME_WAIT'), statesAfter.join(', '));
  assert.ok((await count(page, '[data-testid=drop-rules] li')) >= 1, 'the drop shows in the link panel');

  // Clicking the ✕'d segment brings it back.
  await page.locator(`${SEG}.dropped`).click();
  await page.waitForFunction((sel) => !document.querySelector(sel), `${SEG}.dropped`);
  assert.deepEqual(await bands(page), statesBefore);
});

test('Windows: MSL and TIME_WAIT follow the platform', async () => {
  const page = await open();
  assert.equal((await page.textContent('[data-testid=time-wait]')).trim(), '60 s');
  assert.equal((await page.textContent('[data-testid=msl]')).trim(), '30 s');
  assert.equal(await countdown(page), 60);
  const notes = await page.textContent('[data-testid=platform-notes]');
  assert.match(await page.textContent('[data-testid=platform-provenance]'), /^Checked against a real kernel/);
  // The default scenario runs with timestamps off; Linux's default is on.
  assert.equal((await page.textContent('[data-testid=ephemeral-ports]')).trim(), '32768–60999, timestamps off (default on)');
  await page.selectOption('[data-testid=platform-select]', 'windows');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=time-wait]')?.textContent.trim() === '240 s',
  );
  assert.equal((await page.textContent('[data-testid=msl]')).trim(), '120 s');
  assert.notEqual(await page.textContent('[data-testid=platform-notes]'), notes);
  assert.match(
    await page.textContent('[data-testid=platform-provenance]'),
    /^From Microsoft's documentation only.*not checked against a Windows kernel/,
  );
  assert.equal((await page.textContent('[data-testid=ephemeral-ports]')).trim(), '49152–65535, timestamps off');
  assert.equal(await countdown(page), 240, 'the idle countdown shows the new TIME_WAIT');
});

test('stepping into TIME_WAIT, then playing, runs the countdown down', async () => {
  const page = await open();
  assert.equal(await clock(page), 0);
  const phase = () => page.getAttribute('[data-testid=countdown]', 'data-phase');
  let steps = 0;
  while ((await phase()) !== 'running') {
    assert.ok(steps++ < 60, 'TIME_WAIT starts within 60 steps');
    const t = await clock(page);
    await page.click('[data-testid=step-forward]');
    await page.waitForFunction((t) => parseFloat(document.querySelector('[data-testid=clock]').textContent) > t, t);
  }
  const start = await countdown(page);
  assert.ok(start > 59 && start <= 60, `TIME_WAIT starts near 60 s, shows ${start}`);
  await page.selectOption('[data-testid=speed-select]', '10');
  await page.click('[data-testid=play]');
  assert.ok(await playing(page));
  await page.waitForFunction(
    (s) => Number(document.querySelector('[data-testid=countdown-seconds]').textContent) <= s - 2,
    start,
    { timeout: 20_000 },
  );
  await page.click('[data-testid=play]');
  assert.ok(!(await playing(page)));
  const paused = await countdown(page);
  assert.ok(paused < start, `${paused} < ${start}`);
  await page.waitForTimeout(300);
  assert.equal(await countdown(page), paused, 'paused means paused');
});

test('keyboard: space plays and pauses, → steps', async () => {
  const page = await open();
  await page.evaluate(() => document.activeElement?.blur());
  const t0 = await clock(page);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((t) => parseFloat(document.querySelector('[data-testid=clock]').textContent) > t, t0);
  const t1 = await clock(page);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'true');
  await page.waitForFunction((t) => parseFloat(document.querySelector('[data-testid=clock]').textContent) > t, t1);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false');
  const t2 = await clock(page);
  await page.waitForTimeout(300);
  assert.equal(await clock(page), t2, 'space paused playback');
  // Space in the scenario list belongs to the list, not to playback.
  await page.focus('[data-testid=scenario-select]');
  await page.keyboard.press('Space');
  await page.keyboard.press('Escape');
  assert.ok(!(await playing(page)));
});

test('keyboard on a segment: it is focusable, Enter or space drops it (and does not play)', async () => {
  const page = await open();
  const fin = page.locator(`${SEG}.fin.host-a`).first();
  await fin.focus();
  assert.equal(await fin.getAttribute('tabindex'), '0', 'segments are in the tab order');
  assert.equal(await fin.evaluate((e) => e === document.activeElement), true, 'a segment takes focus');
  await page.keyboard.press('Enter');
  await page.locator(`${SEG}.dropped`).first().waitFor();
  assert.equal(await page.locator(`${SEG}.dropped`).getAttribute('data-seg-id'), await fin.getAttribute('data-seg-id'));
  // A's FIN is sent again after the retransmission timeout.
  assert.ok((await count(page, `${SEG}.fin.host-a.retransmission`)) >= 1);
  // Space on the lost segment brings it back, and is not the play shortcut.
  await page.locator(`${SEG}.dropped`).focus();
  await page.keyboard.press('Space');
  await page.waitForFunction((sel) => !document.querySelector(sel), `${SEG}.dropped`);
  assert.ok(!(await playing(page)), 'space on a segment does not start playback');
});

test('theme switch: system → light → dark, remembered after a reload', async () => {
  const page = await open();
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? 'system');
  assert.equal(await theme(), 'system');
  const toggle = page.locator('.theme-toggle');
  await toggle.click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await toggle.click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await background();
  await page.reload();
  await page.waitForSelector(SEG);
  assert.equal(await theme(), 'dark');
  assert.equal(await background(), dark);
  await toggle.click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === undefined);
  assert.notEqual(await background(), dark, 'the system theme (light here) differs from dark');
});

test('screenshots at 1280×800 and at phone size', async () => {
  await fs.mkdir(app.cfg.screenshots, { recursive: true });
  for (const [name, viewport] of [
    ['main.png', { width: 1280, height: 800 }],
    ['phone.png', { width: 390, height: 844 }],
  ]) {
    const page = await open(viewport);
    const file = path.join(app.cfg.screenshots, name);
    await page.screenshot({ path: file });
    const png = await fs.readFile(file);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.equal(png.readUInt32BE(16), viewport.width, `${name} width`);
    assert.equal(png.readUInt32BE(20), viewport.height, `${name} height`);
    // Nothing wider than the screen: no sideways scrolling on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: page is ${overflow}px wider than the viewport`);
    // Both hosts are on screen without scrolling the diagram sideways.
    const heads = await page.$$eval(`${DIAGRAM} .host-head`, (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { left: r.left, right: r.right, width: window.innerWidth };
      }),
    );
    assert.equal(heads.length, 2, 'two hosts');
    for (const h of heads) assert.ok(h.left >= 0 && h.right <= h.width, `${name}: host at ${h.left}..${h.right} of ${h.width}`);
  }
});
