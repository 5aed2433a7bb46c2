// Time from navigation to the first diagram, for `cargo xtask measure`: the
// median over FAREWELL_LOADS cold loads (each in a fresh browser context, so
// nothing is cached) of the release build served under a sub-path.
//
// A MutationObserver, installed before any of the page's scripts run, notes
// performance.now() (milliseconds since navigation start) when the first
// segment of the diagram is in the DOM.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { settings, serve, launch, newPage, median } from './harness.mjs';
import { writeBigCapture } from './big-capture.mjs';

const FIRST_SEG = 'svg[data-testid=diagram] .seg';

function watchForDiagram(selector) {
  const seen = () => {
    if (window.__farewellFirstDiagram === undefined && document.querySelector(selector)) {
      window.__farewellFirstDiagram = performance.now();
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(() => {
    if (seen()) observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
}

const loads = Number(process.env.FAREWELL_LOADS ?? 5);
if (!Number.isInteger(loads) || loads < 1) {
  throw new Error(`FAREWELL_LOADS must be a positive whole number, got ${process.env.FAREWELL_LOADS}`);
}
const cfg = settings();
const server = await serve(cfg.dist, cfg.subPath);
const browser = await launch();
const times = [];
let lab = null;
let captures = [];
try {
  for (let i = 0; i < loads; i++) {
    const p = await newPage(browser);
    await p.page.addInitScript(watchForDiagram, FIRST_SEG);
    await p.page.goto(server.url);
    await p.page.waitForFunction(() => window.__farewellFirstDiagram !== undefined, null, { timeout: 60_000 });
    times.push(await p.page.evaluate(() => window.__farewellFirstDiagram));
    if (p.offHost.length) throw new Error(`requests left 127.0.0.1: ${p.offHost.join(', ')}`);
    if (p.errors.length) throw new Error(p.errors.join('\n'));
    await p.context.close();
  }
  lab = await measureLab();
  // Many connections (the list, the reader's limits), and one connection of
  // 200,000 segments (the longest diagram the view lays out).
  captures = [
    await measureCapture({ bytes: 500e6, connections: 4000 }),
    await measureCapture({ bytes: 30e6, connections: 1 }),
  ];
} finally {
  await browser.close();
  await server.close();
}
/**
 * The lab page: time from navigation to its chart (axes and reference lines,
 * drawn with the page), to its first line of data (from the worker's first
 * report) and to its first findings (default lab), and
 * for the heaviest lab the knobs allow (100,000 connections a second for 600 s,
 * 60 million connections, and its remedies), how long the run takes and the
 * longest task the main thread ran meanwhile (PerformanceObserver "longtask":
 * tasks over 50 ms; none means every task was shorter).
 */
async function measureLab() {
  const p = await newPage(browser);
  await p.page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (document.querySelector('svg.lab-chart')) {
        window.__labChart = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  });
  await p.page.addInitScript(watchForDiagram, 'svg.lab-chart polyline');
  await p.page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await p.page.goto(`${server.url}lab.html`);
  await p.page.waitForSelector('.findings', { timeout: 60_000 });
  const firstFindings = await p.page.evaluate(() => performance.now());
  const firstChart = await p.page.evaluate(() => window.__farewellFirstDiagram);
  const chartDrawn = await p.page.evaluate(() => window.__labChart);
  const startLongest = await p.page.evaluate(() => window.__longest);
  const t0 = await p.page.evaluate(() => {
    location.hash = 'rate=100000&duration=600';
    return performance.now();
  });
  await p.page.waitForFunction(() => document.querySelector('.findings')?.textContent.includes('100,000 new connections'), null, { timeout: 600_000 });
  const runDone = await p.page.evaluate(() => performance.now());
  await p.page.waitForFunction(() => document.querySelector('table.remedies') && !document.querySelector('td.pending'), null, { timeout: 1_200_000 });
  const remediesDone = await p.page.evaluate(() => performance.now());
  const longest = await p.page.evaluate(() => window.__longest);
  if (p.errors.length) throw new Error(p.errors.join('\n'));
  await p.context.close();
  return { firstFindings, firstChart, chartDrawn, startLongest, run: runDone - t0, remedies: remediesDone - runDone, longest };
}

/**
 * The capture view: the longest main-thread task (PerformanceObserver
 * "longtask", as for the lab) from picking a large generated capture (`bytes`
 * of `connections` connections, read up to the reader's 200,000-segment limit
 * in the view's worker) to its diagram drawn, and how long that took.
 */
async function measureCapture({ bytes: size, connections }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'farewell-measure-'));
  const file = path.join(dir, 'big.pcap');
  try {
    const bytes = await writeBigCapture(file, { bytes: size, connections });
    const p = await newPage(browser);
    await p.page.addInitScript(() => {
      window.__tasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__tasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await p.page.goto(server.url);
    await p.page.waitForSelector(FIRST_SEG, { timeout: 60_000 });
    // Only what the capture view does counts, not the playground's start.
    await p.page.waitForTimeout(500);
    const t0 = await p.page.evaluate(() => {
      window.__tasks = [];
      return performance.now();
    });
    await p.page.setInputFiles('[data-testid=import]', file);
    // `attached`: a visibility check would lay the page out in a task of
    // playwright's own.
    await p.page.waitForSelector('[data-testid=capture-svg]', { state: 'attached', timeout: 300_000 });
    // The diagram's layout and paint come after the task that inserted it.
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    const drawn = await p.page.evaluate(() => performance.now());
    await p.page.waitForTimeout(300);
    const tasks = await p.page.evaluate(() => window.__tasks);
    if (p.errors.length) throw new Error(p.errors.join('\n'));
    await p.context.close();
    return { bytes, connections, seconds: (drawn - t0) / 1000, tasks };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const ms = (x) => `${Math.round(x)} ms`;
console.log(
  `navigation to first diagram: median ${ms(median(times))} over ${loads} cold loads ` +
    `(min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}; headless Chromium, 127.0.0.1, no throttling)`,
);
console.log(
  `lab: navigation to its chart (axes and reference lines) ${ms(lab.chartDrawn)}, to its first line of data ${ms(lab.firstChart)}, to its first findings ${ms(lab.firstFindings)} (longest main-thread task while loading: ${lab.startLongest ? ms(lab.startLongest) : 'none over 50 ms'}); ` +
    `100,000 connections/s for 600 s: run ${(lab.run / 1000).toFixed(1)} s, remedies ${(lab.remedies / 1000).toFixed(1)} s more, ` +
    `longest main-thread task ${lab.longest ? ms(lab.longest) : 'none over 50 ms'}`,
);
for (const capture of captures) {
  const worst = capture.tasks.length ? ms(Math.max(...capture.tasks)) : 'none over 50 ms';
  const of = capture.connections === 1 ? 'one connection' : `${capture.connections.toLocaleString('en')} connections`;
  console.log(
    `capture view: a ${(capture.bytes / 1e6).toFixed(0)} MB capture of ${of} picked, read to the 200,000-segment limit and drawn in ${capture.seconds.toFixed(2)} s; ` +
      `longest main-thread task ${worst}${capture.tasks.length ? ` (${capture.tasks.length} over 50 ms)` : ''}`,
  );
}
