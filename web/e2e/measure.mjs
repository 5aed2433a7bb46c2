// Time from navigation to the first diagram, for `cargo xtask measure`: the
// median over FAREWELL_LOADS cold loads (each in a fresh browser context, so
// nothing is cached) of the release build served under a sub-path.
//
// A MutationObserver, installed before any of the page's scripts run, notes
// performance.now() (milliseconds since navigation start) when the first
// segment of the diagram is in the DOM.

import { settings, serve, launch, newPage, median } from './harness.mjs';

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
} finally {
  await browser.close();
  await server.close();
}
const ms = (x) => `${Math.round(x)} ms`;
console.log(
  `navigation to first diagram: median ${ms(median(times))} over ${loads} cold loads ` +
    `(min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}; headless Chromium, 127.0.0.1, no throttling)`,
);
