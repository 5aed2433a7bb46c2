// Sharing and exporting, as a teacher would: a link that brings the same
// scenario back, Back undoing an edit, downloads (SVG, PNG, pcap read back with
// tcpdump, JSON), importing a scenario file, and the example course page that
// embeds the playground in iframes.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { useApp, SEG } from './harness.mjs';

const app = useApp({ before, after, afterEach });

const text = async (page, sel) => (await page.textContent(sel)).trim();
const waitText = (page, sel, want) =>
  page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent.trim() === want,
    [sel, want],
  );

/** Drops B's ACK of A's FIN in the normal close; returns the segment's id. */
async function dropSecondAck(page) {
  const ack = page.locator(`${SEG}.ack.host-b`).nth(1);
  const id = await ack.getAttribute('data-seg-id');
  await ack.click();
  await page.locator(`${SEG}.dropped`).first().waitFor();
  return id;
}

/** Clicks an export button and returns the downloaded file's name and bytes. */
async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  return { name: dl.suggestedFilename(), bytes: await fs.readFile(await dl.path()), path: await dl.path() };
}

test('a link brings back the same scenario; Back undoes an edit', async () => {
  const page = await app.open();
  const id = await dropSecondAck(page);
  await page.selectOption('[data-testid=platform-select]', 'windows');
  await waitText(page, '[data-testid=time-wait]', '240 s');
  await page.waitForFunction(() => location.hash.length > 1);
  const hash = await page.evaluate(() => location.hash);

  const again = await app.open({ hash });
  assert.equal(await again.getAttribute(`${SEG}.dropped`, 'data-seg-id'), id);
  assert.equal(await again.locator(`${SEG}.dropped`).count(), 1);
  assert.equal(await text(again, '[data-testid=time-wait]'), '240 s');
  assert.equal(await again.inputValue('[data-testid=platform-select]'), 'windows');

  await page.goBack();
  await waitText(page, '[data-testid=time-wait]', '60 s');
  assert.equal(await page.locator(`${SEG}.dropped`).count(), 1, 'one step back keeps the drop');
  await page.goBack();
  await page.waitForFunction((sel) => !document.querySelector(sel), `${SEG}.dropped`);
});

test('downloads: SVG and PNG of the diagram, pcap of the trace, JSON of the scenario', async () => {
  const page = await app.open();
  await dropSecondAck(page);
  const segs = await page.locator(SEG).count();

  const svg = await download(page, 'export-svg');
  assert.match(svg.name, /^farewell-.+\.svg$/);
  const svgText = svg.bytes.toString('utf8');
  assert.match(svgText, /<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(svgText.match(/class="seg /g)?.length, segs, 'every segment is in the SVG');
  assert.match(svgText, /class="cross"/, 'the ✕ of the lost segment is in the SVG');

  const png = await download(page, 'export-png');
  assert.match(png.name, /\.png$/);
  assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
  assert.ok(png.bytes.readUInt32BE(16) > 400 && png.bytes.readUInt32BE(20) > 400, 'a picture, not a dot');

  const pcap = await download(page, 'export-pcap');
  assert.match(pcap.name, /\.pcap$/);
  const magic = pcap.bytes.readUInt32LE(0);
  assert.ok([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic), `pcap magic ${magic.toString(16)}`);
  // tcpdump reads it back: one packet per segment drawn (lost ones included:
  // the capture is at the sender), between the two illustrative hosts.
  const { stdout } = await promisify(execFile)('tcpdump', ['-nn', '-r', pcap.path]);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, segs, stdout);
  assert.ok(lines.every((l) => /10\.0\.0\.1\.40000 > 10\.0\.0\.2\.80|10\.0\.0\.2\.80 > 10\.0\.0\.1\.40000/.test(l)), stdout);
  assert.equal(lines.filter((l) => l.includes('Flags [F.]')).length, 2, stdout);

  const json = await download(page, 'export-json');
  assert.match(json.name, /\.json$/);
  const scenario = JSON.parse(json.bytes.toString('utf8'));
  assert.equal(scenario.name, 'Normal close');
  assert.equal(scenario.platform, 'linux');
  assert.equal(scenario.drops.length, 1, 'the drop is part of the scenario');
});

test('importing a scenario file; a bad one is refused with a reason', async () => {
  const page = await app.open();
  const mine = JSON.parse(
    await fs.readFile(new URL('../../crates/engine/scenarios/lost-fin.json', import.meta.url), 'utf8'),
  );
  mine.name = 'My lost FIN';
  mine.description = 'Imported from a file in an end-to-end test.';
  mine.platform = 'windows';
  await page.setInputFiles('[data-testid=import]', {
    name: 'mine.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(mine)),
  });
  await page.waitForFunction(
    (d) => document.querySelector('[data-testid=scenario-description]')?.textContent.includes(d),
    mine.description,
  );
  assert.equal(await text(page, '[data-testid=time-wait]'), '240 s');
  assert.ok((await page.locator(`${SEG}.dropped`).count()) >= 1, 'the lost FIN is drawn');
  const segs = await page.locator(SEG).count();

  await page.setInputFiles('[data-testid=import]', {
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...mine, platform: 'plan9' })),
  });
  const notice = await page.waitForSelector('[data-testid=notice]');
  const said = await notice.textContent();
  assert.match(said, /broken\.json/);
  assert.match(said, /plan9/);
  assert.match(said, /unchanged/);
  assert.ok((await text(page, '[data-testid=scenario-description]')).includes(mine.description));
  assert.equal(await page.locator(SEG).count(), segs);
});

test('the example course page embeds three playgrounds that size their iframes', async () => {
  const page = await app.open({ path: 'embed-example.html', viewport: { width: 1280, height: 2400 }, wait: false });
  const frames = page.locator('iframe');
  // Three playgrounds, then the lab (web/e2e/lab-embed.test.mjs).
  assert.equal(await frames.count(), 4);
  assert.match(await frames.nth(3).getAttribute('src'), /^lab\.html#embed=1/);
  // Each playground reports its height with postMessage; the page applies it.
  await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => f.style.height !== ''), null, {
    timeout: 60_000,
  });
  const [minimal, lostAck, none] = [0, 1, 2].map((i) => page.frameLocator(`iframe >> nth=${i}`));
  for (const f of [minimal, lostAck, none]) {
    await f.locator(SEG).first().waitFor({ timeout: 60_000 });
  }
  assert.equal(await minimal.locator('[data-testid=play]').count(), 1, 'controls=minimal keeps playback');
  assert.equal(await none.locator('[data-testid=play]').count(), 0, 'controls=none shows the diagram alone');
  assert.equal(await minimal.locator('[data-testid=scenario-select]').count(), 0, 'embedded: no settings panels');
  assert.ok((await lostAck.locator(`${SEG}.dropped`).count()) >= 1, 'the lost final ACK is drawn');
  // autoplay=1: the third one plays by itself.
  const playhead = none.locator('[data-testid=playhead] text');
  const first = await playhead.textContent();
  await page.waitForFunction(
    ([t]) => {
      const doc = document.querySelectorAll('iframe')[2].contentDocument;
      return doc.querySelector('[data-testid=playhead] text')?.textContent !== t;
    },
    [first],
    { timeout: 20_000 },
  );
  // "Open in Farewell" leads to the full playground, not another embed.
  const href = await minimal.locator('.embed-footer a').getAttribute('href');
  assert.ok(!href.includes('embed=1'), href);
  assert.ok(href.startsWith(app.server.url), href);
});

test('the exported SVG draws the same picture as the page', async () => {
  // A tall window, so the whole diagram is on screen without scrolling.
  const page = await app.open({ viewport: { width: 1280, height: 3000 } });
  await dropSecondAck(page);
  // The playback layer (playhead, veil) is the page's own, not part of the picture.
  await page.addStyleTag({ content: '.diagram.playback { display: none !important; }' });
  const diagram = page.locator('svg[data-testid=diagram]');
  const box = await diagram.boundingBox();
  const onPage = await diagram.screenshot();
  const svg = await download(page, 'export-svg');

  // The downloaded file, served from the same origin and drawn at the page's size.
  const base = app.server.url;
  const context = page.context();
  await context.route(`${base}exported.svg`, (r) =>
    r.fulfill({ body: svg.bytes, contentType: 'image/svg+xml' }),
  );
  await context.route(`${base}exported.html`, (r) =>
    r.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><body style="margin:0"><img id="pic" src="exported.svg"
        style="display:block;width:${box.width}px;height:${box.height}px"></body>`,
    }),
  );
  const viewer = await context.newPage();
  await viewer.goto(`${base}exported.html`);
  await viewer.waitForFunction(() => document.getElementById('pic').complete);
  const asFile = await viewer.locator('#pic').screenshot();

  await fs.mkdir(app.cfg.screenshots, { recursive: true });
  await fs.writeFile(`${app.cfg.screenshots}/svg-export-page.png`, onPage);
  await fs.writeFile(`${app.cfg.screenshots}/svg-export-file.png`, asFile);

  // Compare the two pictures pixel by pixel, in the browser (no image library).
  const diff = await viewer.evaluate(async ([a, b]) => {
    const load = (b64) =>
      new Promise((ok, err) => {
        const img = new Image();
        img.onload = () => ok(img);
        img.onerror = err;
        img.src = `data:image/png;base64,${b64}`;
      });
    const [ia, ib] = await Promise.all([load(a), load(b)]);
    const w = Math.min(ia.width, ib.width);
    const h = Math.min(ia.height, ib.height);
    const pixels = (img) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      return ctx.getImageData(0, 0, w, h).data;
    };
    const [pa, pb] = [pixels(ia), pixels(ib)];
    let differ = 0;
    let ink = 0;
    for (let i = 0; i < pa.length; i += 4) {
      const d = Math.max(Math.abs(pa[i] - pb[i]), Math.abs(pa[i + 1] - pb[i + 1]), Math.abs(pa[i + 2] - pb[i + 2]));
      if (d > 64) differ++;
      if (pa[i] + pa[i + 1] + pa[i + 2] < 600) ink++;
    }
    return { size: [ia.width, ia.height, ib.width, ib.height], differ, ink, total: w * h };
  }, [onPage.toString('base64'), asFile.toString('base64')]);
  assert.ok(Math.abs(diff.size[0] - diff.size[2]) <= 1 && Math.abs(diff.size[1] - diff.size[3]) <= 1, JSON.stringify(diff));
  assert.ok(diff.ink > diff.total * 0.005, `the page's diagram has a picture: ${JSON.stringify(diff)}`);
  assert.ok(diff.differ < diff.total * 0.005, `pictures differ in ${diff.differ} of ${diff.total} pixels`);
  await viewer.close();
});

test('a hostile link is refused with a message, injects nothing, and opens the default', async () => {
  const hostile = '#s=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E&t=5';
  const page = await app.open({ hash: hostile });
  const notice = await page.waitForSelector('[data-testid=notice]');
  const said = await notice.textContent();
  assert.match(said, /could not be opened/, said);
  assert.match(said, /`s=<img/, 'the message quotes the bad parameter as text');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no markup from the link ran');
  assert.equal(await page.locator('img[src=x]').count(), 0, 'no markup from the link was inserted');
  assert.equal(await page.inputValue('[data-testid=scenario-select]'), 'normal-close');
  assert.ok((await page.locator(SEG).count()) >= 4, 'the default scenario is drawn');
});
