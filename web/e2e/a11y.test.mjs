// Accessibility of the release build: an axe-core audit of the main view at
// several playback positions in both themes, of the embed view and of the
// capture view (a connection of a dropped capture shown), and a
// keyboard-only walk (Tab reaches the controls, the diagram and the scrollable
// panels, each with a visible focus style). Run by `cargo xtask test`.
//
// axe-core is pinned in package.json and injected from node_modules: nothing is
// fetched at test time.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import { useApp, SEG } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const app = useApp({ before, after, afterEach });

/** Every minor/moderate finding, by view, printed at the end (for the README). */
const lesser = [];

const clock = (page) => page.textContent('[data-testid=clock]');

async function audit(page, label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  // Let any colour transition settle before contrast is measured.
  await page.waitForTimeout(400);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
  const show = (v) =>
    `  ${v.id} (${v.impact}, ${v.nodes.length} node(s)): ${v.help}\n` +
    v.nodes.map((n) => `    ${n.target}${n.summary ? ` — ${n.summary.replace(/\s+/g, ' ')}` : ''}`).join('\n');
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of violations.filter((v) => !bad.includes(v))) lesser.push(`[${label}]\n${show(v)}`);
  assert.equal(bad.length, 0, `${label}: serious/critical axe violations:\n${bad.map(show).join('\n')}`);
}

async function stepForward(page, n) {
  for (let i = 0; i < n; i++) {
    const t = await clock(page);
    await page.click('[data-testid=step-forward]');
    await page.waitForFunction((t) => document.querySelector('[data-testid=clock]').textContent !== t, t);
  }
}

for (const colorScheme of ['light', 'dark']) {
  test(`axe: main view at the start, mid-close and the end (${colorScheme})`, async () => {
    const page = await app.open();
    await page.emulateMedia({ colorScheme });
    assert.equal(
      await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches),
      colorScheme === 'dark',
    );
    await audit(page, `main, start, ${colorScheme}`);
    await stepForward(page, 4);
    await audit(page, `main, mid-close, ${colorScheme}`);
    const scrubber = page.locator('[data-testid=scrubber]');
    await scrubber.fill(await scrubber.getAttribute('max'));
    await page.waitForFunction(
      () => {
        const s = document.querySelector('[data-testid=scrubber]');
        return Number(s.max) - Number(s.value) <= Number(s.max) * 1e-3;
      },
    );
    await audit(page, `main, end, ${colorScheme}`);
  });

  test(`axe: embed view (${colorScheme})`, async () => {
    const page = await app.open({ hash: '#s=lost-final-ack&embed=1&controls=minimal' });
    await page.emulateMedia({ colorScheme });
    await audit(page, `embed, start, ${colorScheme}`);
    await stepForward(page, 3);
    await audit(page, `embed, mid-close, ${colorScheme}`);
  });

  test(`axe: the capture view, a connection shown (${colorScheme})`, async () => {
    const page = await app.open();
    await page.emulateMedia({ colorScheme });
    await page.setInputFiles('[data-testid=import]', {
      name: 'fin-lost-twice.pcap',
      mimeType: 'application/vnd.tcpdump.pcap',
      buffer: await fs.readFile(new URL('./fixtures/handshake-fin-lost-twice.pcap', import.meta.url)),
    });
    await page.waitForSelector('#capture-view [data-testid=capture-svg]', { timeout: 60_000 });
    await audit(page, `capture view, ${colorScheme}`);
  });
}

test('keyboard only: Tab reaches play, a segment, the right column and the ss table, each visibly focused', async () => {
  const page = await app.open();
  const want = {
    play: '[data-testid=play]',
    segment: SEG,
    'right column': '.col-right',
    'ss table': '.ss-wrap',
  };
  const seen = {};
  for (let i = 0; i < 300 && Object.keys(seen).length < Object.keys(want).length; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((want) => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const name = Object.keys(want).find((k) => el.matches(want[k]));
      if (!name) return null;
      const cs = getComputedStyle(el);
      // A segment shows focus by its wide hit stroke (diagram.css), the rest
      // by the page's :focus-visible ring.
      const hitStroke = el.matches('.seg') ? getComputedStyle(el.querySelector('.hit')).stroke : null;
      return {
        name,
        focusVisible: el.matches(':focus-visible'),
        outline: cs.outlineStyle === 'none' || cs.outlineWidth === '0px' ? 'none' : `${cs.outlineStyle} ${cs.outlineWidth}`,
        boxShadow: cs.boxShadow,
        hitStroke,
      };
    }, want);
    if (hit && !seen[hit.name]) seen[hit.name] = { ...hit, tabs: i + 1 };
  }
  for (const name of Object.keys(want)) {
    const f = seen[name];
    assert.ok(f, `Tab never reached the ${name}; reached: ${JSON.stringify(seen)}`);
    assert.ok(f.focusVisible, `the ${name} is focused without :focus-visible`);
    const visible =
      f.outline !== 'none' ||
      f.boxShadow !== 'none' ||
      (f.hitStroke !== null && !/^(none|transparent|rgba\(0, 0, 0, 0\))$/.test(f.hitStroke));
    assert.ok(visible, `the ${name} has no visible focus style: ${JSON.stringify(f)}`);
  }
  console.log(`keyboard: ${Object.entries(seen).map(([k, v]) => `${k} after ${v.tabs} Tab(s)`).join(', ')}`);
});

const announcer = (page) => page.textContent('[data-testid=announcer]');
const narration = (page) => page.textContent('[data-testid=narration]');

test('screen readers: each step is announced once in a polite live region, and the switch silences it', async () => {
  const page = await app.open();
  const live = page.locator('[data-testid=announcer]');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  // The visible paragraph counts timers down every frame: it must not be live.
  assert.equal(await page.locator('[data-testid=narration]').getAttribute('aria-live'), null);
  const said = [];
  for (let i = 0; i < 4; i++) {
    await stepForward(page, 1);
    const text = await announcer(page);
    // Paused on a stop, the announcement is that step's narration.
    assert.equal(text, await narration(page), `step ${i + 1}`);
    said.push(text);
  }
  assert.ok(new Set(said).size >= 3, `the steps said little new: ${JSON.stringify(said)}`);

  // While playing, the live region changes only when the step does: in
  // TIME_WAIT at 1x the visible narration counts down every tenth of a second,
  // the announcement stays put (no step is passed).
  await page.selectOption('[data-testid=speed-select]', '1');
  // (Until nothing is in flight either: the next step is TIME_WAIT's end.)
  const waiting = (n) => n.includes('leaves TIME_WAIT in') && !n.includes('on its way');
  for (let i = 0; i < 40 && !waiting(await narration(page)); i++) await stepForward(page, 1);
  assert.ok(waiting(await narration(page)), await narration(page));
  await page.click('[data-testid=play]');
  const samples = await page.evaluate(async () => {
    const live = document.querySelector('[data-testid=announcer]');
    const shown = document.querySelector('[data-testid=narration]');
    const out = [];
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      out.push([live.textContent, shown.textContent]);
    }
    return out;
  });
  await page.click('[data-testid=play]');
  const distinct = (k) => new Set(samples.map((s) => s[k])).size;
  assert.ok(distinct(1) >= 4, `the visible narration did not count down: ${distinct(1)} texts`);
  assert.equal(distinct(0), 1, `the live region changed within one step: ${distinct(0)} texts`);

  // Dragging the scrubber announces nothing until it is let go.
  const scrubber = page.locator('[data-testid=scrubber]');
  await scrubber.dispatchEvent('input');
  await page.evaluate(() => {
    const s = document.querySelector('[data-testid=scrubber]');
    s.value = String(Number(s.max) / 3);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector('[data-testid=announcer]').textContent === '');
  await page.evaluate(() =>
    document.querySelector('[data-testid=scrubber]').dispatchEvent(new Event('change', { bubbles: true })),
  );
  await page.waitForFunction(() => document.querySelector('[data-testid=announcer]').textContent !== '');

  // The switch turns it off, and the choice outlives a reload.
  const toggle = page.locator('[data-testid=announce]');
  assert.equal(await toggle.getAttribute('role'), 'switch');
  assert.equal(await toggle.isChecked(), true);
  await toggle.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=announcer]').textContent === '');
  await stepForward(page, 2);
  assert.equal(await announcer(page), '');
  assert.notEqual(await narration(page), '');
  await page.reload();
  await page.waitForSelector(SEG);
  assert.equal(await page.locator('[data-testid=announce]').isChecked(), false);
  await stepForward(page, 1);
  assert.equal(await announcer(page), '');
  await page.locator('[data-testid=announce]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=announcer]').textContent !== '');
});

/** The diagram table's rows: time text, whether marked future, aria-current. */
const tableRows = (page) =>
  page.$$eval('[data-testid=diagram-table] tbody tr', (rows) =>
    rows.map((r) => ({
      time: parseFloat(r.cells[0].textContent),
      future: r.classList.contains('future') && r.cells[0].textContent.includes('not yet'),
      current: r.getAttribute('aria-current'),
      text: [...r.cells].map((c) => c.textContent).join(' | '),
    })),
  );

test('the diagram as a table: opened from the keyboard, it follows the playhead', async () => {
  const page = await app.open();
  assert.equal(await page.locator('[data-testid=diagram-table]').count(), 0);
  const toggle = page.locator('[data-testid=table-toggle]');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=diagram-table]');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  // Its scroll box is the next Tab stop.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'diagram-table');
  const segments = await page.locator(SEG).count();
  let prevFuture = Infinity;
  let firstFuture;
  for (let step = 0; step < 9; step++) {
    const rows = await tableRows(page);
    assert.ok(rows.length >= segments + 2, `${rows.length} rows for ${segments} segments`);
    assert.ok(rows.some((r) => /sends (SYN|FIN)/.test(r.text)), rows.map((r) => r.text).join('\n'));
    const t = parseFloat(await clock(page));
    const current = rows.filter((r) => r.current === 'step');
    assert.equal(current.length, 1, `step ${step}: ${JSON.stringify(current)}`);
    const ci = rows.findIndex((r) => r.current === 'step');
    for (const [i, r] of rows.entries()) {
      assert.equal(r.future, i > ci, `step ${step}, row ${i} at t=${t}: ${r.text}`);
      assert.equal(r.time <= t, i <= ci, `step ${step}, row ${i} at t=${t}: ${r.text}`);
    }
    // The current row is in view inside the table's scroll box.
    const seen = await page.evaluate(() => {
      const box = document.getElementById('diagram-table').getBoundingClientRect();
      const row = document.querySelector('#diagram-table [aria-current]').getBoundingClientRect();
      return row.top >= box.top - 1 && row.bottom <= box.bottom + 1;
    });
    assert.ok(seen, `step ${step}: the current row is scrolled out of view`);
    const future = rows.filter((r) => r.future).length;
    assert.ok(future <= prevFuture, `step ${step}: ${future} rows ahead, ${prevFuture} before`);
    prevFuture = future;
    firstFuture ??= future;
    await stepForward(page, 1);
  }
  assert.ok(prevFuture < firstFuture, `the rows ahead stayed at ${firstFuture}`);
  await audit(page, 'main, table open');
  await page.click('[data-testid=table-toggle]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=diagram-table]'));
});

test('keyboard help: ? opens a modal list of the shortcuts, Escape closes it and focus comes back', async () => {
  const page = await app.open();
  const dialog = page.locator('[data-testid=keys-help]');
  assert.equal(await dialog.isVisible(), false);
  await page.locator('[data-testid=step-forward]').focus();
  await page.keyboard.press('Shift+Slash');
  await page.waitForFunction(() => document.querySelector('[data-testid=keys-help]').open);
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid=keys-help]').matches(':modal')), true);
  const text = await dialog.textContent();
  for (const want of ['Space', 'Play or pause', '→', '←', 'Home', '?', 'Esc']) {
    assert.ok(text.includes(want), `the help lacks ${want}: ${text}`);
  }
  // Keys inside the dialog do not drive playback behind it.
  const t = await clock(page);
  await page.keyboard.press('ArrowRight');
  assert.equal(await clock(page), t);
  await audit(page, 'main, keyboard help open');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('[data-testid=keys-help]').open);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'step-forward');
  // The shortcuts listed still work once it is closed (off the buttons, which
  // keep their keys).
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((t) => document.querySelector('[data-testid=clock]').textContent !== t, t);

  // The footer's button opens it too, and Close gives focus back to the button.
  const open = page.locator('[data-testid=keys-help-open]');
  await open.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=keys-help]').open);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=keys-help]').open);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'keys-help-open');
});

after(() => {
  if (lesser.length) console.log(`axe: minor/moderate violations (not failures):\n${lesser.join('\n')}`);
  else console.log('axe: no minor/moderate violations');
});
