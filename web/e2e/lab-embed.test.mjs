// The TIME_WAIT lab embedded in a course page (issue 11 item 3), in the
// release build: `lab.html#…&embed=1` in an iframe runs the link's lab, shows
// the chart and the findings without the lab's header and knobs, and posts
// its height to the parent as the playground's embed does
// (`farewell:height`); `controls` decides the remedies table; a bad or
// hostile embed link says why. Run by `cargo xtask test`.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from './harness.mjs';

const app = useApp({ before, after, afterEach });

/**
 * A course page (at the build's address, so relative links work) with the
 * lab embedded at `hash` in an iframe 300 px tall, which records the heights
 * the lab posts. Returns the page and the iframe's frame locator.
 */
async function course(hash) {
  const page = await app.open({ path: 'embed-example.html', viewport: { width: 1100, height: 900 }, wait: false });
  const src = new URL(`lab.html${hash}`, page.url()).href;
  await page.setContent(
    `<script>
      window.heights = [];
      addEventListener('message', (e) => {
        if (e.data?.type === 'farewell:height') {
          window.heights.push(e.data.height);
          document.querySelector('iframe').style.height = e.data.height + 'px';
        }
      });
    </script>
    <iframe src="${src}" style="width:1000px;height:300px;border:0" title="The TIME_WAIT lab"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await frame.locator('.findings').waitFor({ timeout: 60_000 });
  return { page, frame };
}

test('an embedded lab runs its link, shows the chart and the findings, and tells the page its height', async () => {
  const { page, frame } = await course('#rate=5000&closer=server&embed=1');
  assert.match(await frame.locator('.findings').textContent(), /\S/);
  assert.equal(await frame.locator('svg.lab-chart polyline.tw-server').count(), 1);
  assert.equal(await frame.locator('.lab-stats').count(), 1);
  // No page chrome: no header, no knobs, no command line, no per-second
  // table, no drill-down list (hidden by the stylesheet: data-embed).
  assert.equal(await page.frames()[1].evaluate(() => document.documentElement.dataset.embed), 'full');
  await frame.locator('.lab-drill').waitFor({ state: 'attached', timeout: 60_000 });
  for (const sel of ['header.app-header', '.lab-knobs', '.command', '.per-second', '.lab-drill']) {
    assert.equal(await frame.locator(sel).first().isVisible(), false, `no ${sel} shown in the embed`);
  }
  assert.ok(await frame.locator('svg.lab-chart').isVisible());
  // A click on the chart opens that second's connection in a new tab; the
  // course page stays.
  const box = await frame.locator('.lab-chart-wrap svg').boundingBox();
  const [tab] = await Promise.all([
    page.context().waitForEvent('page'),
    page.mouse.click(box.x + (box.width * (64 + (546 * 4.5) / 60)) / 760, box.y + box.height / 2),
  ]);
  await tab.waitForURL(/index\.html#c=/);
  await tab.close();
  assert.match(page.frames()[1].url(), /lab\.html#rate=5000&closer=server&embed=1$/);
  // The page grows the iframe to the height the lab reports: the body's own.
  await page.waitForFunction(() => window.heights.length > 0 && window.heights.at(-1) > 300, null, { timeout: 30_000 });
  const inner = await page.frames()[1].evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
  await page.waitForFunction((h) => window.heights.at(-1) === h, inner, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => document.querySelector('iframe').style.height), `${inner}px`);
  // controls=full (the default): the remedies, each with Try it, which reruns
  // the lab in place and keeps the embed in the iframe's link.
  await frame.locator('table.remedies button').first().waitFor({ timeout: 120_000 });
  const lab = page.frames()[1];
  await frame.locator('table.remedies tr', { hasText: 'Keep-alive' }).locator('button').click();
  await lab.waitForFunction(() => location.hash === '#rate=5000&closer=server&requests-per-connection=10&embed=1');
  // Rerun in place: the new run's remedies (ten times its keep-alive).
  await lab.waitForFunction(() => document.querySelector('table.remedies')?.textContent.includes('Keep-alive: 100 requests per connection'), null, {
    timeout: 120_000,
  });
});

test('controls=minimal keeps the remedies without Try it; controls=none leaves them out', async () => {
  const minimal = await course('#embed=1&controls=minimal');
  await minimal.frame.locator('table.remedies').waitFor({ timeout: 60_000 });
  await minimal.page.frames()[1].waitForFunction(() => !document.querySelector('td.pending'), null, { timeout: 120_000 });
  assert.match(await minimal.frame.locator('table.remedies').textContent(), /Keep-alive/);
  assert.ok((await minimal.frame.locator('table.remedies button').count()) > 0);
  assert.equal(await minimal.frame.locator('table.remedies button').first().isVisible(), false, 'no Try it with controls=minimal');
  assert.ok(await minimal.frame.locator('table.remedies tbody tr th').first().isVisible());
  const none = await course('#embed=1&controls=none');
  assert.match(await none.frame.locator('.findings').textContent(), /ran out of ports/);
  // The worker is not asked for the remedies: none appears, even later.
  await none.page.waitForTimeout(3000);
  assert.equal(await none.frame.locator('table.remedies').count(), 0);
  assert.equal(await none.frame.locator('svg.lab-chart').count(), 1);
});

// The browser percent-encodes the `<`, `>` and spaces, which the lab quotes
// as they are. A link too long is refused unread, its embed=1 too.
for (const [hash, message, embedded] of [
  ['#embed=1&rate=0', /rate: must be 1 to 100000 per second, got 0/, 'full'],
  ['#embed=1&controls=<img src=x onerror=alert(1)>', /controls: full, minimal or none, not `%3Cimg%20src=x%20onerror=alert\(1\)%3E`/, 'full'],
  [`#embed=1&rate=5&${'x'.repeat(3000)}`, /a lab link is at most 1024/, undefined],
]) {
  test(`a bad embed link (${hash.slice(0, 28)}) says why and the lab runs its defaults`, async () => {
    const { page, frame } = await course(hash);
    assert.match(await frame.locator('[role=alert]').textContent(), message);
    assert.equal(await frame.locator('[role=alert] img').count(), 0, 'the value is text, not markup');
    assert.match(await frame.locator('.findings').textContent(), /ran out of ports/);
    assert.equal(await page.frames()[1].evaluate(() => document.documentElement.dataset.embed), embedded);
    assert.equal(await frame.locator('.lab-knobs').isVisible(), embedded === undefined);
  });
}
