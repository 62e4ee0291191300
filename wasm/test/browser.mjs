// Loads the installed package in headless Chromium three ways — served as-is through an import map,
// bundled by `vite build`, and through Vite's dev server — and checks that each page loads both
// entries' WebAssembly modules and gets a LagomError back from the core through each; served as-is, a
// page also loads a plugin (consumer/plugins/, put there by run.mjs) with the browser's WebAssembly API
// and prices a charge. Usage: node browser.mjs CONSUMER_DIR
// (a project with lagom-billing installed). Chromium comes from Debian (`apt-get install chromium`).
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { chromium } from 'playwright-core';
import { build, createServer as createViteServer } from 'vite';

const chromiumPath = '/usr/bin/chromium';
const consumer = process.argv[2] ?? process.env.LAGOM_CONSUMER;
const app = join(consumer ?? '', 'browser');
// Vite's dependency pre-bundling moves the package away from its .wasm: the README tells users this.
const viteConfig = { root: app, configFile: false, logLevel: 'warn', optimizeDeps: { exclude: ['lagom-billing'] } };
const failure = {
  lagomError: true,
  code: 'invalid',
  path: '',
  message: '(input): invalid type: string "not an object", expected struct Input',
};
// The main entry's answer, and the eval-only entry's (lagom-billing/eval, its own module): the same.
const expected = { ...failure, evalOnly: failure };

describe('in a browser', { skip: !existsSync(chromiumPath) && `no ${chromiumPath}` }, () => {
  let browser;
  before(async () => {
    cpSync(new URL('./browser', import.meta.url), app, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(() => browser?.close());

  async function answerOf(url) {
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('answer').textContent !== 'loading');
    const text = await page.textContent('#answer');
    await page.close();
    assert.deepEqual(errors, []);
    return JSON.parse(text);
  }

  it('as ES modules served as they are', async () => {
    // The page's import map points at /node_modules/lagom-billing/index.js: serve the consumer folder.
    const server = await serve(consumer, (path) => (path === '/' ? '/browser/index.html' : path === '/main.js' ? '/browser/main.js' : path));
    try {
      assert.deepEqual(await answerOf(server.url), expected);
    } finally {
      server.close();
    }
  });

  it('prices a charge with a plugin compiled by the browser', async () => {
    // The same page, running plugin-main.js as its main.js.
    const route = (path) => ({ '/': '/browser/index.html', '/main.js': '/browser/plugin-main.js' })[path] ?? path;
    const server = await serve(consumer, route);
    try {
      // time_of_day in UTC: 12:00 is day (0.10), 23:00 is night (0.04): 0.14 EUR = 14 cents.
      assert.deepEqual(await answerOf(server.url), {
        plugin: 'time_of_day',
        amount_cents: 14,
        amount_details: { day_units: '1', day_amount: '0.1', night_units: '1', night_amount: '0.04' },
      });
    } finally {
      server.close();
    }
  });

  it('bundled by vite build', async () => {
    await build({ ...viteConfig, build: { outDir: join(consumer, 'vite-dist'), emptyOutDir: true } });
    const server = await serve(join(consumer, 'vite-dist'), (path) => (path === '/' ? '/index.html' : path));
    try {
      assert.deepEqual(await answerOf(server.url), expected);
    } finally {
      server.close();
    }
  });

  it("through Vite's dev server", async () => {
    const server = await createViteServer({ ...viteConfig, server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    try {
      assert.deepEqual(await answerOf(server.resolvedUrls.local[0]), expected);
    } finally {
      await server.close();
    }
  });
});

/** A static file server over `root`, on a free port. */
function serve(root, route) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createHttpServer((req, res) => {
    const path = join(root, normalize(route(new URL(req.url, 'http://localhost').pathname)));
    if (!path.startsWith(root) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() });
    });
  });
}
