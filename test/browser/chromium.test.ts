/**
 * Real-browser smoke test: serves what `npm run build:browser` writes (bundle + tfjs wasm) and a page from
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
import { buildBrowser, REPO_ROOT } from '../../scripts/browser-bundle.js';
import * as medlens from '../../src/index.js';
import { smokeScenario, type SmokeResult } from './smoke-scenario.js';
import { assertClose, sharedData, tmpDir } from '../helpers.js';

const CHROMIUM = process.env.MEDLENS_CHROMIUM ?? '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (install Debian's chromium to run the browser smoke test): skipped`;
const TIMEOUT_MS = 45_000;
/** A JPEG baseline chest X-ray (SIIM-ACR, 1024x1024): decoded by the libjpeg-turbo codec chunk. */
const JPEG_DICOM = sharedData('cxr/misc/siim-acr/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm');

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
  // build:browser puts the tfjs .wasm files beside medlens.js.
  await m.selectBackend([m.wasmCandidate(new URL('./', new URL('/medlens.js', location.href)).href)], 'wasm');
  const bytes = async (url) => { const r = await fetch(url); return r.ok ? new Uint8Array(await r.arrayBuffer()) : undefined; };
  const result = await smokeScenario(m, await bytes('/sample.png'), await bytes('/sample.dcm'));
  document.getElementById('result').textContent = JSON.stringify({ ...result, crossOriginIsolated });
  await report(document.getElementById('result').textContent);
} catch (e) { await fail(e); }
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.png': 'image/png' };

/** A page run: what the page posted, the paths it requested, and the wall time. */
interface PageRun {
  page: SmokeResult & { crossOriginIsolated: boolean };
  requested: string[];
  ms: number;
}

/**
 * Serves `files` (URL path -> bytes) on 127.0.0.1, with cross-origin isolation headers when
 * `isolated` (which lets tfjs use its threaded wasm build); `result` gets the first POST /result body.
 */
function serve(files: Map<string, Uint8Array>, isolated: boolean): { server: http.Server; result: Promise<string>; requested: string[] } {
  let deliver: (body: string) => void = () => undefined;
  const result = new Promise<string>((resolve) => { deliver = resolve; });
  const requested: string[] = [];
  const headers = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/result') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { res.end('ok'); deliver(Buffer.concat(chunks).toString('utf8')); });
      return;
    }
    const file = url.pathname === '/' ? '/index.html' : url.pathname;
    requested.push(file);
    const body = files.get(file);
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return { server, result, requested };
}

let filesOnce: Promise<Map<string, Uint8Array>> | undefined;
/** What `npm run build:browser` writes (bundle, chunks, tfjs wasm), plus the scenario and the page. */
function pageFiles(): Promise<Map<string, Uint8Array>> {
  filesOnce ??= (async () => {
    const files = new Map<string, Uint8Array>();
    const out = tmpDir('medlens-browser-');
    await buildBrowser(out);
    for (const rel of fs.readdirSync(out, { recursive: true, encoding: 'utf8' })) {
      const abs = path.join(out, rel);
      if (fs.statSync(abs).isFile()) files.set(`/${rel.split(path.sep).join('/')}`, fs.readFileSync(abs));
    }
    // The scenario only imports types, so a transform (no bundling) makes it a standalone module.
    const scenario = await esbuild.transform(fs.readFileSync(path.join(REPO_ROOT, 'test/browser/smoke-scenario.ts'), 'utf8'), { loader: 'ts', format: 'esm' });
    files.set('/scenario.js', new TextEncoder().encode(scenario.code));
    files.set('/sample.png', samplePng());
    if (!JPEG_DICOM.skip) files.set('/sample.dcm', fs.readFileSync(JPEG_DICOM.path));
    files.set('/index.html', new TextEncoder().encode(PAGE));
    return files;
  })();
  return filesOnce;
}

/** Opens the page in headless Chromium and waits for its posted result (or its error). */
async function runInChromium(isolated: boolean): Promise<PageRun> {
  const started = Date.now();
  const { server, result, requested } = serve(await pageFiles(), isolated);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const chrome = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--enable-logging=stderr', `--user-data-dir=${tmpDir('medlens-chromium-')}`, url,
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  // Keep page console output and errors; drop the noise of a machine without D-Bus.
  chrome.stderr.on('data', (c: Buffer) => {
    const lines = c.toString().split('\n').filter((l) => l.trim() && !/dbus|DBus/.test(l));
    stderr = [stderr, ...lines].join('\n').slice(-4000);
  });
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
  const page = JSON.parse(body) as PageRun['page'] & { error?: string };
  assert.equal(page.error, undefined, `page failed: ${page.error}`);
  return { page, requested, ms: Date.now() - started };
}

let nodeOnce: Promise<SmokeResult> | undefined;
/** The same scenario in Node on the cpu backend: the reference the browser must match. */
function nodeReference(): Promise<SmokeResult> {
  const dicom = JPEG_DICOM.skip ? undefined : new Uint8Array(fs.readFileSync(JPEG_DICOM.path));
  nodeOnce ??= medlens.selectBackend([medlens.cpuCandidate], 'cpu').then(() => smokeScenario(medlens, samplePng(), dicom));
  return nodeOnce;
}

async function checkRun(t: { diagnostic: (m: string) => void }, run: PageRun, wasmFile: string): Promise<void> {
  const { page } = run;
  const node = await nodeReference();
  t.diagnostic(`chromium run ${run.ms} ms (launch, load, wasm init, scenario); backend ${page.backend} (${wasmFile}), ${page.threads} thread(s)`);
  assert.equal(page.backend, 'wasm');
  assert.ok(run.requested.includes(`/${wasmFile}`), `expected ${wasmFile}, page requested ${run.requested.join(', ')}`);
  assert.equal(page.finite, true);
  assert.equal(page.tensorsLeft, 0);
  assert.equal(page.saliency.length, 3 * 90);
  assert.ok(page.saliency.some((v) => v > 0), 'saliency is all zero');
  assert.ok(page.gradcam.some((v) => v > 0), 'GradCAM is all zero');
  // Same seeds, same model, different backend (browser wasm vs Node cpu): float-rounding agreement.
  assertClose(page.saliency, node.saliency, 1e-3 * Math.max(...node.saliency.map(Math.abs)), 1e-3, 'saliency');
  assertClose(page.gradcam, node.gradcam, 1e-3 * Math.max(...node.gradcam.map(Math.abs)), 1e-3, 'gradcam');
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0).toExponential(4);
  t.diagnostic(`attribution sums in Chromium (Node): Saliency ${sum(page.saliency)} (${sum(node.saliency)}), GradCAM ${sum(page.gradcam)} (${sum(node.gradcam)})`);
  assert.deepEqual(page.png, { shape: [2, 3, 1], bitDepth: 8, data: PNG_LEVELS });
  if (JPEG_DICOM.skip) {
    t.diagnostic(`DICOM part ${JPEG_DICOM.skip}`);
    return;
  }
  // The page decodes with the codec's wasm2js build, loaded lazily as a chunk; Node with its
  // WebAssembly build: the same libjpeg-turbo, so the pixels must agree exactly.
  assert.ok(run.requested.some((f) => /^\/chunks\/libjpegturbojs_decode-.*\.js$/.test(f)), `codec chunk not loaded: ${run.requested.join(', ')}`);
  assert.deepEqual(page.dicom, node.dicom);
  assert.equal(page.dicom?.transferSyntax, '1.2.840.10008.1.2.4.50');
  assert.deepEqual(page.dicom?.shape, [1, 1024, 1024, 1]);
}

test('the bundle runs in headless Chromium: wasm (SIMD) backend, Saliency + GradCAM match Node, PNG and JPEG DICOM decode', { skip, timeout: 60_000 }, async (t) => {
  const run = await runInChromium(false);
  assert.equal(run.page.crossOriginIsolated, false);
  await checkRun(t, run, 'tfjs-backend-wasm-simd.wasm');
});

test('on a cross-origin-isolated page the bundle uses the threaded wasm build, same results', { skip, timeout: 60_000 }, async (t) => {
  const run = await runInChromium(true);
  assert.equal(run.page.crossOriginIsolated, true);
  await checkRun(t, run, 'tfjs-backend-wasm-threaded-simd.wasm');
});
