// The capture view (issue 10), in the release build: a capture dropped on the
// playground or picked for import loads its own module (never part of the
// first load), draws the connection with inferred states hatched, narrates it
// and lists its frames; bad files get a message and the scenario stays; a
// big file is read in the view's Web Worker with progress, up to the view's
// limits, while the page stays responsive, and the reading can be cancelled;
// the diagram downloads as an SVG file; "Replay in the simulator" opens the
// connection as a scenario. Run by `cargo xtask test`.
//
// Fixtures (web/e2e/fixtures): the CLI's pcap export of the built-in
// fin-lost-twice (`farewell run --builtin fin-lost-twice --format pcap`), and
// of the same with `"handshake": true`.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { useApp, SEG } from './harness.mjs';
import { writeBigCapture } from './big-capture.mjs';

const app = useApp({ before, after, afterEach });
const fixture = (name) => fs.readFile(new URL(`./fixtures/${name}`, import.meta.url));
const VIEW = '#capture-view';
const PCAP = 'application/vnd.tcpdump.pcap';

/** Records the page's long tasks (ms) from its start. */
async function watchLongTasks(page) {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  });
}
const longest = async (page) => Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
const longTasks = (page) => page.evaluate(() => window.__longTasks);

/** Drops `buffer` on `target` (the playground) as a file named `name`. */
async function drop(page, name, buffer, type = PCAP, target = 'div.app') {
  const data = await page.evaluateHandle(
    ([name, bytes, type]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type }));
      return dt;
    },
    [name, [...buffer], type],
  );
  await page.dispatchEvent(target, 'drop', { dataTransfer: data });
}

const description = (page) => page.textContent('[data-testid=scenario-description]');

test('the playground first load requests nothing of the capture view', async () => {
  const start = app.server.log.length;
  const page = await app.open();
  await page.waitForTimeout(300);
  const loaded = app.server.log.slice(start).map((l) => l.path);
  assert.ok(loaded.some((p) => p.includes('farewell-web-')), loaded.join('\n'));
  assert.ok(!loaded.some((p) => p.includes('farewell-capture')), `the first load fetched the capture view: ${loaded.join('\n')}`);
});

test('a dropped capture is drawn, narrated and logged with its frame numbers; Back keeps the scenario', async () => {
  const page = await app.open();
  const before = await description(page);
  const segs = await page.locator(SEG).count();
  await drop(page, 'fin-lost-twice.pcap', await fixture('handshake-fin-lost-twice.pcap'));
  await page.waitForSelector(`${VIEW} [data-testid=capture-svg]`, { timeout: 60_000 });
  // Only now is the module fetched, with the build's version in its URLs.
  const fetched = app.server.log.map((l) => l.path);
  assert.ok(fetched.some((p) => p.endsWith('farewell-capture-web_bg.wasm')), fetched.join('\n'));
  assert.ok(await page.locator('div.app').isHidden(), 'the playground is hidden behind the view');

  assert.match(await page.textContent('[data-testid=capture-summary]'), /11 frames, 11 TCP segments in 1 connection/);
  assert.equal(await page.locator('[data-testid=capture-conn] option').count(), 1);
  // The diagram: an arrow per frame, labelled with its number; inferred
  // bands hatched, and the legend says so in words.
  assert.equal(await page.locator(`${VIEW} .seg`).count(), 11);
  const labels = await page.locator(`${VIEW} .seg text.label`).allTextContents();
  assert.equal(labels.length, 11);
  assert.equal(labels[8], '✕ #9 retransmission lost? ↻ FIN seq=1 ack=7');
  assert.ok((await page.locator(`${VIEW} rect.cv-inferred`).count()) >= 8);
  assert.match(await page.textContent('[data-testid=capture-legend]'), /Hatched band: an inferred state/);
  assert.match(await page.textContent('[data-testid=capture-narration]'), /B's FIN \(frame 8\) was retransmitted 2 times/);
  const log = page.locator('[data-testid=capture-log] li');
  assert.equal(await log.count(), 11);
  assert.equal(await log.nth(8).getAttribute('data-frame'), '9');
  assert.match(await log.nth(8).textContent(), /^9 \+0\.560000 s {2}B > A: Flags \[F\.\], seq 1, ack 7, length 0 \[retransmission\] \[presumed lost\]$/);

  // Another capture dropped on the view opens in it, and the page stays.
  await drop(page, 'other.pcap', await fixture('fin-lost-twice.pcap'), PCAP, VIEW);
  await page.waitForFunction(() => document.querySelector('[data-testid=capture-summary]')?.textContent.includes('8 frames'));

  await page.click('[data-testid=capture-back]');
  await page.waitForSelector(VIEW, { state: 'detached' });
  assert.equal(await description(page), before, 'the scenario is the one before the drop');
  assert.equal(await page.locator(SEG).count(), segs);
});

test('bad files: a message, and the scenario stays', async () => {
  const page = await app.open();
  const before = await description(page);
  const good = await fixture('fin-lost-twice.pcap');
  // Cut inside its header.
  await drop(page, 'cut.pcap', good.subarray(0, 20));
  let msg = await page.waitForSelector('[data-testid=capture-message]', { timeout: 60_000 });
  assert.match(await msg.textContent(), /“cut\.pcap” as a capture: the file is cut short: 20 bytes, less than its own file header\. The current scenario is unchanged\./);
  await page.click('[data-testid=capture-back]');
  await page.waitForSelector(VIEW, { state: 'detached' });
  assert.equal(await description(page), before);
  // No TCP in it: every frame's IPv4 protocol made UDP.
  const udp = Buffer.from(good);
  for (let at = 24; at + 16 <= udp.length; at += 16 + udp.readUInt32LE(at + 8)) udp[at + 16 + 14 + 9] = 17;
  await drop(page, 'udp.pcap', udp);
  msg = await page.waitForSelector('[data-testid=capture-message]', { timeout: 60_000 });
  assert.match(await msg.textContent(), /has no TCP segments \(8 frames read\)/);
  await page.keyboard.press('Escape');
  await page.waitForSelector(VIEW, { state: 'detached' });
  // Only a SYN: shown, and said to be unanswered.
  const hs = await fixture('handshake-fin-lost-twice.pcap');
  await drop(page, 'syn.pcap', hs.subarray(0, 24 + 16 + hs.readUInt32LE(32)));
  await page.waitForSelector('[data-testid=capture-narration]', { timeout: 60_000 });
  assert.match(await page.textContent('[data-testid=capture-narration]'), /SYN/);
  await page.click('[data-testid=capture-back]');
  // Not a capture (nor a scenario): the import's own message.
  await drop(page, 'photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), 'image/png');
  const notice = await page.waitForSelector('[data-testid=notice]');
  assert.match(await notice.textContent(), /photo\.png.*unchanged/);
  assert.equal(await description(page), before);
});

test('a capture of hundreds of MB is read in slices up to the limits, and the page stays responsive', async () => {
  // normal-close's frames again and again, 10 µs apart, to 300 MB.
  const good = await fixture('fin-lost-twice.pcap');
  const records = [];
  for (let at = 24; at < good.length; at += 16 + good.readUInt32LE(at + 8)) records.push(good.subarray(at, at + 16 + good.readUInt32LE(at + 8)));
  const chunk = [];
  let size = 0;
  for (let i = 0; size < 4 << 20; i++) {
    const r = Buffer.from(records[i % records.length]);
    r.writeUInt32LE(Math.floor((i * 10) / 1e6), 0);
    r.writeUInt32LE((i * 10) % 1e6, 4);
    chunk.push(r);
    size += r.length;
  }
  const body = Buffer.concat(chunk);
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'farewell-capture-')), 'big.pcap');
  const out = await fs.open(file, 'w');
  await out.write(good.subarray(0, 24));
  // Later chunks repeat the first one's times; the reading stops long before.
  for (let n = 0; n < 300 * 2 ** 20; n += body.length) await out.write(body);
  await out.close();
  const bytes = (await fs.stat(file)).size;

  const { page } = await (async () => {
    const p = await app.open({ wait: false });
    return { page: p };
  })();
  await watchLongTasks(page);
  await page.reload();
  await page.waitForSelector(SEG, { timeout: 60_000 });
  const before = await description(page);
  // Only what the capture view does counts, not the playground's start.
  await page.evaluate(() => (window.__longTasks = []));
  const t0 = Date.now();
  await page.setInputFiles('[data-testid=import]', file);
  // `attached`: a visibility check would lay the page out in a task of
  // playwright's own, counted as the page's.
  await page.waitForSelector('[data-testid=capture-progress]', { state: 'attached', timeout: 60_000 });
  await page.waitForSelector('[data-testid=capture-svg]', { state: 'attached', timeout: 120_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const seconds = (Date.now() - t0) / 1000;
  // Read in the view's worker, not on the page.
  assert.ok(app.server.log.some((l) => l.path.endsWith('farewell-capture-worker.mjs')), 'no worker was started');
  const notes = await page.textContent('[data-testid=capture-notes]');
  assert.match(notes, /only the first 200000 TCP segments were read/);
  assert.match(notes, /Only the last 100 of this connection's 200,000 segments \(from frame 199901\)/);
  const worst = await longest(page);
  console.log(`long tasks (ms): ${(await longTasks(page)).join(', ')}`);
  const frames = 200_000;
  console.log(
    `capture view: ${(bytes / 2 ** 20).toFixed(0)} MiB file, ${frames} frames read and drawn in ${seconds.toFixed(2)} s ` +
      `(${Math.round(frames / seconds)} frames/s including the drawing); longest main-thread task ${worst} ms`,
  );
  // Not a timed budget: a frozen tab would be seconds.
  assert.ok(worst < 1000, `a ${worst} ms task`);
  await page.click('[data-testid=capture-back]');
  assert.equal(await description(page), before);
  await fs.rm(path.dirname(file), { recursive: true });
});

test('picking a capture and Replay in the simulator opens it as a scenario, with its losses', async () => {
  const page = await app.open();
  await page.setInputFiles('[data-testid=import]', {
    name: 'fin-lost-twice.pcap',
    mimeType: PCAP,
    buffer: await fixture('handshake-fin-lost-twice.pcap'),
  });
  await page.waitForSelector('[data-testid=capture-replay]', { timeout: 60_000 });
  await page.click('[data-testid=capture-replay]');
  await page.waitForSelector(VIEW, { state: 'detached' });
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=scenario-description]')?.textContent.includes('Derived from capture connection 1'),
  );
  assert.match(await page.textContent('[data-testid=notice]'), /Imported “Replay of capture connection 1”/);
  // The same 11 segments, the two lost FINs drawn dropped.
  assert.equal(await page.locator(SEG).count(), 11);
  assert.equal(await page.locator(`${SEG}.dropped`).count(), 2);
  // And it is a scenario like any other: click a segment to drop it.
  await page.locator(`${SEG}.ack`).last().click();
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, `${SEG}.dropped`);
});

test('a big capture being read can be cancelled: the worker ends and the scenario stays', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'farewell-capture-'));
  const file = path.join(dir, 'many.pcap');
  await writeBigCapture(file, { bytes: 200e6, connections: 4000 });
  const page = await app.open();
  const before = await description(page);
  // Cancel is pressed in the page as soon as the worker has reported frames
  // read (in the task that shows them), so the reading is surely under way.
  await page.evaluate(() => {
    window.__cancelled = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        const text = document.querySelector('[data-testid=capture-progress-text]')?.textContent ?? '';
        if (!/[1-9][\d,]* frames/.test(text)) return;
        observer.disconnect();
        const value = Number(document.querySelector('[data-testid=capture-progress]').getAttribute('value'));
        document.querySelector('[data-testid=capture-cancel]').click();
        resolve({ text, value });
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  });
  const started = page.waitForEvent('worker');
  await page.setInputFiles('[data-testid=import]', file);
  const worker = await started;
  const ended = new Promise((resolve) => worker.on('close', resolve));
  const cancelled = await page.evaluate(() => window.__cancelled);
  assert.ok(cancelled.value > 0, JSON.stringify(cancelled));
  assert.match(cancelled.text, /^Reading “many\.pcap”: [\d.]+ MB of 20\d\.\d MB, [\d,]+ frames$/);
  await page.waitForSelector(VIEW, { state: 'detached' });
  await ended;
  assert.equal(await description(page), before);
  assert.ok(await page.locator('div.app').isVisible());
  // Nothing comes back from the reading that was cancelled, and the next
  // capture opens as usual.
  await page.waitForTimeout(500);
  assert.equal(await page.locator(VIEW).count(), 0);
  await drop(page, 'fin-lost-twice.pcap', await fixture('handshake-fin-lost-twice.pcap'));
  await page.waitForSelector(`${VIEW} [data-testid=capture-svg]`, { timeout: 60_000 });
  await fs.rm(dir, { recursive: true });
});

test('the capture diagram downloads as an SVG file of its own', async () => {
  const page = await app.open();
  await drop(page, 'fin-lost-twice.pcap', await fixture('handshake-fin-lost-twice.pcap'));
  await page.waitForSelector(`${VIEW} [data-testid=capture-svg]`, { timeout: 60_000 });
  const inferred = await page.locator(`${VIEW} rect.cv-inferred`).count();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=capture-download-svg]')]);
  assert.equal(dl.suggestedFilename(), 'capture-fin-lost-twice-connection-1.svg');
  const svg = (await fs.readFile(await dl.path())).toString('utf8');
  assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(!svg.includes('var(--'), 'its colours are in the file');
  // The browser reads it as an SVG document: the same arrows, frame labels
  // and hatched bands as the view.
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      segs: doc.querySelectorAll('.seg').length,
      inferred: doc.querySelectorAll('rect.cv-inferred').length,
      labels: [...doc.querySelectorAll('.seg text.label')].map((t) => t.textContent),
    };
  }, svg);
  assert.equal(parsed.error, null);
  assert.equal(parsed.segs, 11);
  assert.equal(parsed.inferred, inferred);
  assert.equal(parsed.labels[8], '✕ #9 retransmission lost? ↻ FIN seq=1 ack=7');
});

test('a worker that cannot start gets a message, and Back keeps the scenario', async () => {
  const page = await app.open();
  const before = await description(page);
  await page.route('**/farewell-capture-worker.mjs*', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await drop(page, 'fin-lost-twice.pcap', await fixture('handshake-fin-lost-twice.pcap'));
  const msg = await page.waitForSelector('[data-testid=capture-message]', { timeout: 60_000 });
  assert.match(await msg.textContent(), /^The capture view's worker failed \(.+\)\. The current scenario is unchanged\.$/);
  await page.click('[data-testid=capture-back]');
  await page.waitForSelector(VIEW, { state: 'detached' });
  assert.equal(await description(page), before);
  // The browser's own report of the refused script is expected here.
  const p = app.pages.at(-1);
  p.errors.splice(0, p.errors.length, ...p.errors.filter((e) => !/404|Failed to load/.test(e)));
});
