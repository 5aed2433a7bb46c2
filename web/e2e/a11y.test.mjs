// Accessibility of the release build: an axe-core audit of the main view at
// several playback positions in both themes and of the embed view, and a
// keyboard-only walk (Tab reaches the controls, the diagram and the scrollable
// panels, each with a visible focus style). Run by `cargo xtask test`.
//
// axe-core is pinned in package.json and injected from node_modules: nothing is
// fetched at test time.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
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

after(() => {
  if (lesser.length) console.log(`axe: minor/moderate violations (not failures):\n${lesser.join('\n')}`);
  else console.log('axe: no minor/moderate violations');
});
