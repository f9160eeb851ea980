/**
 * Real-browser smoke test: serves the esbuild bundle, the tfjs wasm binaries and a page from
 * 127.0.0.1, runs smoke-scenario.ts in headless Chromium on the wasm backend, and compares the
 * attributions the page posts back with the same scenario run in Node (cpu backend).
 * Skips when /usr/bin/chromium is absent (Debian: `apt-get install -y chromium`).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { PNG } from 'pngjs';
import { bundleBrowser, REPO_ROOT } from '../../scripts/browser-bundle.js';
import * as medlens from '../../src/index.js';
import { smokeScenario, type SmokeResult } from './smoke-scenario.js';
import { assertClose, tmpDir } from '../helpers.js';

const CHROMIUM = process.env.MEDLENS_CHROMIUM ?? '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (install Debian's chromium to run the browser smoke test): skipped`;
const WASM_DIR = path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const TIMEOUT_MS = 45_000;

/** A 3x2 8-bit grey PNG written by pngjs (an encoder independent of the one medlens uses). */
const PNG_LEVELS = [0, 50, 100, 150, 200, 255];
function samplePng(): Uint8Array {
  const opts = { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false } as const;
  const png = new PNG({ width: 3, height: 2, ...opts });
  png.data = Buffer.from(PNG_LEVELS);
  return new Uint8Array(PNG.sync.write(png, opts));
}

// The page writes its result into the DOM, then posts that DOM text back to the server.
const PAGE = `<!doctype html><meta charset="utf-8"><title>medlens smoke</title><pre id="result">running</pre>
<script type="module">
const report = (body) => fetch('/result', { method: 'POST', body });
const fail = (e) => report(JSON.stringify({ error: String(e && e.stack || e) }));
addEventListener('error', (e) => fail(e.error ?? e.message));
addEventListener('unhandledrejection', (e) => fail(e.reason));
try {
  const m = await import('/medlens.js');
  const { smokeScenario } = await import('/scenario.js');
  await m.selectBackend([m.wasmCandidate(location.origin + '/wasm/')], 'wasm');
  const png = new Uint8Array(await (await fetch('/sample.png')).arrayBuffer());
  const result = await smokeScenario(m, png);
  document.getElementById('result').textContent = JSON.stringify(result);
  await report(document.getElementById('result').textContent);
} catch (e) { await fail(e); }
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.png': 'image/png' };

/** Serves `files` (URL path -> bytes) and resolves `result` with the first POST /result body. */
function serve(files: Map<string, Uint8Array>): { server: http.Server; result: Promise<string> } {
  let deliver: (body: string) => void = () => undefined;
  const result = new Promise<string>((resolve) => { deliver = resolve; });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/result') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { res.end('ok'); deliver(Buffer.concat(chunks).toString('utf8')); });
      return;
    }
    const body = files.get(url.pathname === '/' ? '/index.html' : url.pathname);
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(url.pathname)] ?? 'application/octet-stream' }).end(body);
  });
  return { server, result };
}

async function pageFiles(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const bundle = await bundleBrowser({ minify: false });
  for (const [file, bytes] of bundle.files) files.set(`/${path.relative('dist/browser', file)}`, bytes);
  // The scenario only imports types, so a transform (no bundling) makes it a standalone module.
  const scenario = await esbuild.transform(fs.readFileSync(path.join(REPO_ROOT, 'test/browser/smoke-scenario.ts'), 'utf8'), { loader: 'ts', format: 'esm' });
  files.set('/scenario.js', new TextEncoder().encode(scenario.code));
  for (const f of fs.readdirSync(WASM_DIR).filter((n) => n.endsWith('.wasm'))) files.set(`/wasm/${f}`, fs.readFileSync(path.join(WASM_DIR, f)));
  files.set('/sample.png', samplePng());
  files.set('/index.html', new TextEncoder().encode(PAGE));
  return files;
}

test('the bundle runs in headless Chromium: wasm backend, Saliency + GradCAM match Node, PNG decodes', { skip, timeout: 60_000 }, async (t) => {
  const started = Date.now();
  const { server, result } = serve(await pageFiles());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const chrome = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${tmpDir('medlens-chromium-')}`, url,
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  chrome.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
  const exited = new Promise<string>((resolve) => chrome.on('exit', (code) => resolve(JSON.stringify({ error: `chromium exited (${code}): ${stderr}` }))));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(JSON.stringify({ error: `no result within ${TIMEOUT_MS} ms; chromium stderr: ${stderr}` })), TIMEOUT_MS); });
  let body: string;
  try {
    body = await Promise.race([result, exited, timedOut]);
  } finally {
    clearTimeout(timer);
    // Negative pid: the browser and the helper processes it started (its own process group).
    if (chrome.exitCode === null && chrome.pid) process.kill(-chrome.pid, 'SIGKILL');
    server.close();
  }
  const browserMs = Date.now() - started;
  const page = JSON.parse(body) as SmokeResult & { error?: string };
  assert.equal(page.error, undefined, `page failed: ${page.error}`);

  await medlens.selectBackend([medlens.cpuCandidate], 'cpu');
  const node = await smokeScenario(medlens, samplePng());
  t.diagnostic(`chromium run ${browserMs} ms (bundle, launch, wasm init, scenario); backend ${page.backend}, ${page.threads} thread(s)`);

  assert.equal(page.backend, 'wasm');
  assert.equal(page.finite, true);
  assert.equal(page.tensorsLeft, 0);
  assert.equal(page.saliency.length, 3 * 90);
  assert.ok(page.saliency.some((v) => v > 0), 'saliency is all zero');
  // Same seeds, same model, different backend (browser wasm vs Node cpu): float-rounding agreement.
  const scale = Math.max(...node.saliency.map(Math.abs));
  assertClose(page.saliency, node.saliency, 1e-3 * scale, 1e-3, 'saliency');
  assertClose(page.gradcam, node.gradcam, 1e-3 * Math.max(1e-12, ...node.gradcam.map(Math.abs)), 1e-3, 'gradcam');
  t.diagnostic(`attribution sums: saliency ${page.saliency.reduce((s, v) => s + v, 0).toExponential(4)} (Node ${node.saliency.reduce((s, v) => s + v, 0).toExponential(4)})`);
  assert.deepEqual(page.png, { shape: [2, 3, 1], bitDepth: 8, data: PNG_LEVELS });
});
