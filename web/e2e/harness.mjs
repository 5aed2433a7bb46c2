// The end-to-end harness: a static server that puts the release build under a
// sub-path (as a course site would), and headless Chromium from the system.
//
// Playwright never downloads a browser here: `playwright-core` drives Debian's
// /usr/bin/chromium. `cargo xtask test` sets FAREWELL_DIST (the `trunk build
// --release` output), FAREWELL_SUB_PATH and FAREWELL_SCREENSHOTS.

import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Headless Chromium as root in a container, with no traffic of its own
// (component updates, sync, QUIC probes); playwright adds --headless and a fresh
// --user-data-dir itself.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  // application/wasm lets the glue use WebAssembly.instantiateStreaming.
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The environment `cargo xtask test` passes, checked. */
export function settings() {
  const dist = process.env.FAREWELL_DIST;
  if (!dist) {
    throw new Error('FAREWELL_DIST is not set: run these tests with `cargo xtask test`, or set it to a `trunk build --release --dist DIR` output');
  }
  const subPath = process.env.FAREWELL_SUB_PATH ?? '/course/farewell/';
  if (!subPath.startsWith('/') || !subPath.endsWith('/')) {
    throw new Error(`FAREWELL_SUB_PATH must start and end with "/", got ${JSON.stringify(subPath)}`);
  }
  const screenshots = process.env.FAREWELL_SCREENSHOTS ?? path.resolve('../../target/e2e-screenshots');
  return { dist: path.resolve(dist), subPath, screenshots };
}

/**
 * Serves `dist` under `subPath` on 127.0.0.1 (a free port). Anything outside the
 * sub-path is a 404, so an absolute asset URL in the build fails the page load.
 * Every request is logged as { path, status }. `headers` are added to every
 * response (a Content-Security-Policy, say).
 */
export async function serve(dist, subPath, headers = {}) {
  const log = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let status = 404;
    let body = `not found: ${url.pathname}\n`;
    let type = 'text/plain; charset=utf-8';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      status = 405;
      body = 'method not allowed\n';
    } else if (url.pathname.startsWith(subPath)) {
      let rel;
      try {
        rel = decodeURIComponent(url.pathname.slice(subPath.length));
      } catch {
        rel = null;
      }
      if (rel === '' || rel?.endsWith('/')) rel += 'index.html';
      const file = rel === null ? null : path.resolve(dist, rel);
      // No escaping the directory with `..`.
      if (file && (file === dist || file.startsWith(dist + path.sep))) {
        try {
          body = await fs.readFile(file);
          status = 200;
          type = TYPES[path.extname(file)] ?? 'application/octet-stream';
        } catch {
          // stays 404
        }
      }
    }
    log.push({ path: url.pathname, status });
    res.writeHead(status, { ...headers, 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}${subPath}`,
    log,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A fresh page (own context: no cache, no storage) that records every request
 * that would leave 127.0.0.1 (and aborts it), uncaught errors and console errors.
 */
export async function newPage(browser, { viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const page = await context.newPage();
  const offHost = [];
  const errors = [];
  page.on('request', (r) => {
    if (!isLocal(r.url())) offHost.push(r.url());
  });
  await context.route('**/*', (route) =>
    isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient'),
  );
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  return { context, page, offHost, errors };
}

/** Whether a URL stays on this machine (data: and blob: never leave it). */
export function isLocal(u) {
  const url = new URL(u);
  if (url.protocol === 'data:' || url.protocol === 'blob:' || u === 'about:blank') return true;
  return (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:') && url.hostname === '127.0.0.1';
}

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const DIAGRAM = 'svg[data-testid=diagram]';
export const SEG = `${DIAGRAM} .seg`;

/**
 * Registers node:test hooks that start the server and the browser for a test
 * file, and check after each test that no page sent a request off 127.0.0.1 or
 * logged an error. `open(opts)` loads the playground (`hash`: a share link's
 * fragment; `path`: a page other than the playground) and, for the playground,
 * waits for the first diagram.
 */
export function useApp({ before, after, afterEach, headers }) {
  const app = { cfg: null, server: null, browser: null, pages: [] };
  before(async () => {
    app.cfg = settings();
    app.server = await serve(app.cfg.dist, app.cfg.subPath, headers);
    app.browser = await launch();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  afterEach(async () => {
    const pages = app.pages.splice(0);
    for (const p of pages) await p.context.close();
    for (const p of pages) {
      if (p.offHost.length) throw new Error(`requests left 127.0.0.1: ${p.offHost.join(', ')}`);
      if (p.errors.length) throw new Error(`errors in the page:\n${p.errors.join('\n')}`);
    }
  });
  app.open = async ({ viewport, hash = '', path: page = '', wait = true } = {}) => {
    const p = await newPage(app.browser, { viewport });
    app.pages.push(p);
    await p.page.goto(`${app.server.url}${page}${hash}`);
    if (wait) await p.page.waitForSelector(SEG, { timeout: 60_000 });
    return p.page;
  };
  return app;
}
