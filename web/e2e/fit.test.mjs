// Fit mode: the whole diagram scaled to the height available, on a laptop,
// a large screen and in a fixed-height embed; the playhead still follows, the
// mode is in the link, and it stays on once chosen. Run by `cargo xtask test`.
//
// With FAREWELL_SCREENSHOTS=DIR set, the fitted views are also saved there as
// PNGs (web/screenshots/ keeps the reviewed ones).

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useApp, DIAGRAM } from './harness.mjs';

const app = useApp({ before, after, afterEach });

/** The picture, the playback layer and the scroll box, as page rectangles. */
const boxes = (page) =>
  page.evaluate((sel) => {
    const r = (el) => {
      const b = el.getBoundingClientRect();
      return { top: b.top, bottom: b.bottom, left: b.left, right: b.right, height: b.height, width: b.width };
    };
    const box = document.querySelector('.diagram-scroll');
    return {
      picture: r(document.querySelector(sel)),
      layer: r(document.querySelector('svg.playback')),
      box: r(box),
      playhead: r(document.querySelector('[data-testid=playhead] line')),
      scrollable: box.scrollHeight > box.clientHeight + 1,
    };
  }, DIAGRAM);

const inside = (inner, outer) =>
  inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1 && inner.left >= outer.left - 1 && inner.right <= outer.right + 1;

async function shot(page, name) {
  const dir = process.env.FAREWELL_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, name) });
}

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  test(`fit shows the whole close at ${viewport.width}×${viewport.height}, and the playhead follows`, async () => {
    const page = await app.open({ viewport, hash: '#s=lost-fin' });
    const before = await boxes(page);
    assert.ok(before.scrollable, 'without fit the lost-FIN diagram is taller than its box');

    await page.keyboard.press('f');
    await page.waitForFunction(() => document.querySelector('.app').classList.contains('fit'));
    assert.match(page.url(), /[#&]fit=1(&|$)/);
    assert.equal(await page.getAttribute('[data-testid=fit]', 'aria-pressed'), 'true');
    const fitted = await boxes(page);
    assert.ok(!fitted.scrollable, 'nothing left to scroll');
    assert.ok(inside(fitted.picture, fitted.box), `the whole picture is in its box: ${JSON.stringify(fitted)}`);
    assert.ok(fitted.picture.height > fitted.box.height * 0.9, 'and it uses the height available');
    // The playback layer lies exactly over the picture.
    for (const k of ['top', 'bottom', 'left', 'right']) {
      assert.ok(Math.abs(fitted.picture[k] - fitted.layer[k]) < 1, `layer ${k}`);
    }
    await shot(page, `fit-${viewport.width}x${viewport.height}.png`);

    // Step to the end: the playhead stays in view at every stop.
    let last = -1;
    for (let i = 0; i < 40; i++) {
      const b = await boxes(page);
      assert.ok(inside(b.playhead, b.box), `step ${i}: the playhead is in view`);
      assert.ok(b.playhead.top >= last - 0.5, 'and it moves down');
      last = b.playhead.top;
      const clock = await page.textContent('[data-testid=clock]');
      await page.keyboard.press('ArrowRight');
      const moved = await page
        .waitForFunction((c) => document.querySelector('[data-testid=clock]').textContent !== c, clock, { timeout: 2000 })
        .then(() => true, () => false);
      if (!moved) break;
    }
    const end = await boxes(page);
    assert.ok(end.playhead.top > fitted.picture.top + fitted.picture.height * 0.7, 'it reached the bottom of the picture');
  });
}

test('fit stays on after a reload and a link without it, and the toggle turns it off', async () => {
  const page = await app.open({ hash: '#s=normal-close' });
  await page.click('[data-testid=fit]');
  await page.waitForFunction(() => document.querySelector('.app').classList.contains('fit'));
  await page.goto(page.url().replace(/#.*$/, '#s=half-close'));
  await page.reload();
  await page.waitForSelector(`${DIAGRAM} .seg`);
  assert.ok(await page.evaluate(() => document.querySelector('.app').classList.contains('fit')), 'remembered');
  assert.match(page.url(), /fit=1/, 'and written into the link');
  await page.click('[data-testid=fit]');
  await page.waitForFunction(() => !document.querySelector('.app').classList.contains('fit'));
  await page.waitForFunction(() => !location.hash.includes('fit='));
  assert.ok((await boxes(page)).scrollable, 'back to the scrolling diagram');
});

test('a fitted embed shows the whole close inside a fixed-height iframe', async () => {
  // What a course platform that strips the parent's scripts gives: the
  // iframe keeps the height the teacher typed (here 520 px).
  const page = await app.open({ path: 'embed-example.html', viewport: { width: 1000, height: 700 }, wait: false });
  const src = await page.evaluate(() => document.querySelector('iframe').getAttribute('src'));
  const url = new URL(src, page.url());
  url.hash = '#s=lost-fin&embed=1&controls=minimal&fit=1';
  await page.setContent(
    `<iframe src="${url.href}" style="width:900px;height:520px;border:0" title="Farewell"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await frame.locator(`${DIAGRAM} .seg`).first().waitFor({ timeout: 60_000 });
  const inner = await page.frames()[1].evaluate((sel) => {
    const b = document.querySelector(sel).getBoundingClientRect();
    return { top: b.top, bottom: b.bottom, h: innerHeight, fit: document.querySelector('.app').classList.contains('fit') };
  }, DIAGRAM);
  assert.ok(inner.fit);
  assert.ok(inner.top >= 0 && inner.bottom <= inner.h + 1, `the picture fits the iframe: ${JSON.stringify(inner)}`);
  await shot(page, 'fit-embed-900x520.png');
});
