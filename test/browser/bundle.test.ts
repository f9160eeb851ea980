/**
 * The core (src/index.ts) must bundle for browsers: no Node builtin and no Node-only source
 * (src/node, src/cli, backend/node, backend/native*) may reach the esbuild bundle.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildBrowser, bundleBrowser, GUARDED_NODE_REQUIRES, NODE_ONLY_SOURCES, REPO_ROOT, TFJS_WASM_FILES, isNodeBuiltin, type BrowserBundle } from '../../scripts/browser-bundle.js';
import { tmpDir } from '../helpers.js';

const SRC = path.join(REPO_ROOT, 'src');

/** Bundles source text placed in src/ (so relative imports resolve like a core module's). */
function bundleSnippet(contents: string): Promise<BrowserBundle> {
  return bundleBrowser({ stdin: { contents, resolveDir: SRC } });
}

test('src/index.ts bundles for the browser with no Node builtin or Node-only source (npm run build:browser)', async (t) => {
  const out = tmpDir('medlens-browser-');
  const b = await buildBrowser(out);
  assert.deepEqual(b.nodeOnlyInputs, [], 'Node-only sources in the browser bundle');
  assert.deepEqual(b.unguardedBuiltins, [], 'Node builtins in the browser bundle');
  const inputs = Object.keys(b.metafile.inputs);
  // The bundle really holds the core: explainers, models, DICOM, readers, the wasm backend.
  for (const f of ['src/explain/explain.ts', 'src/models/zoo.ts', 'src/dicom/parse.ts', 'src/data/png.ts', 'src/backend/wasm.ts', 'src/data/synthetic/ecg.ts']) {
    assert.ok(inputs.includes(f), `${f} missing from the bundle`);
  }
  // Builtins that dependencies replace with nothing through their package.json "browser" field
  // (tfjs: fs, path, os, worker_threads, perf_hooks, util; seedrandom: crypto) are empty modules.
  for (const f of inputs.filter((i) => i.startsWith('(disabled):'))) assert.equal(b.metafile.inputs[f].bytes, 0, f);
  // Only the guarded codec requires stay external. (esbuild also lists imports it elided from
  // TypeScript because only types were used, e.g. `import { tfl }` for `tfl.LayersModel`, as
  // external relative paths; those emit no code.)
  const externals = Object.entries(b.metafile.inputs).flatMap(([f, i]) => i.imports.filter((m) => m.external && !m.path.startsWith('.')).map((m) => `${f} -> ${m.path}`));
  const allowed = GUARDED_NODE_REQUIRES.flatMap((g) => g.modules.map((m) => `${g.file} -> ${m}`));
  assert.deepEqual(externals.filter((e) => !allowed.includes(e)), []);

  // What build:browser writes: the entry, its lazily loaded chunks, and the tfjs wasm binaries.
  const main = fs.readFileSync(path.join(out, 'medlens.js'));
  const mainBytes = main.length;
  assert.equal([...b.outputs].find(([f]) => f.endsWith('/medlens.js'))?.[1], mainBytes);
  for (const f of TFJS_WASM_FILES) {
    assert.deepEqual(fs.readFileSync(path.join(out, f)), fs.readFileSync(path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', f)), f);
  }
  const total = [...b.outputs.values()].reduce((s, n) => s + n, 0);
  const gz = gzipSync(main).length;
  t.diagnostic(`browser bundle: medlens.js ${(mainBytes / 1024).toFixed(0)} KiB minified (${(gz / 1024).toFixed(0)} KiB gzipped); with lazily loaded codec chunks ${(total / 1024).toFixed(0)} KiB`);
  assert.ok(gz > 100 * 1024 && gz < mainBytes, `gzip size ${gz}`);
  // Guards against pulling something huge into the always-loaded entry (it is ~1.8 MiB, mostly tfjs).
  assert.ok(mainBytes < 3 * 1024 * 1024, `medlens.js is ${mainBytes} bytes`);
  // The DICOM codecs are dynamic imports, so they are chunks, not part of medlens.js.
  assert.ok([...b.outputs.keys()].some((f) => /chunks\/openjpegjs_decode-/.test(f)), 'JPEG 2000 codec is not a separate chunk');
});

test('core modules not exported from src/index.ts (evaluate, train) also bundle for the browser', async () => {
  const b = await bundleSnippet("export * from './evaluate/index.js'; export * from './train/index.js';");
  assert.deepEqual(b.nodeOnlyInputs, []);
  assert.deepEqual(b.unguardedBuiltins, []);
  assert.ok(Object.keys(b.metafile.inputs).includes('src/evaluate/registry.ts'));
});

test('a Node builtin imported by core code fails the bundle, naming the file', async () => {
  await assert.rejects(bundleSnippet("import fs from 'node:fs'; export const x = fs;"), /Could not resolve "node:fs"/);
  await assert.rejects(bundleSnippet("import { gunzipSync } from 'zlib'; export const x = gunzipSync;"), /Could not resolve "zlib"/);
  // A require of an allowed module name is still rejected outside the listed codec files.
  await assert.rejects(bundleSnippet("export const f = require('fs');"), /Could not resolve "fs"/);
  // Importing a Node adapter pulls in its builtins: the error names the adapter.
  await assert.rejects(bundleSnippet("export * from './node/fs.js';"), /src\/node\/fs\.ts.*Could not resolve "node:/s);
});

test('a Node-only source without builtins is still caught through the metafile', async () => {
  // src/cli/npy.ts imports no builtin today; either way it must not slip into a browser bundle.
  const outcome = await bundleSnippet("export * from './cli/npy.js';").then((b) => b.nodeOnlyInputs, (e: Error) => e.message);
  if (Array.isArray(outcome)) assert.deepEqual(outcome, ['src/cli/npy.ts']);
  else assert.match(outcome, /Could not resolve/);
  for (const f of ['src/node/fs.ts', 'src/cli/main.ts', 'src/backend/node.ts', 'src/backend/native.ts', 'src/backend/native-addon.ts']) assert.ok(NODE_ONLY_SOURCES.test(f), f);
  for (const f of ['src/backend/wasm.ts', 'src/backend/select.ts', 'src/dicom/parse.ts', 'src/explain/node-graph.ts']) assert.ok(!NODE_ONLY_SOURCES.test(f), f);
  assert.ok(isNodeBuiltin('node:fs') && isNodeBuiltin('fs/promises') && isNodeBuiltin('worker_threads') && !isNodeBuiltin('fflate'));
});

test('the codec requires let through are really guarded by a Node check', () => {
  // Each listed emscripten glue file may only reach fs/path inside `if (ENVIRONMENT_IS_NODE)`,
  // and ENVIRONMENT_IS_NODE is false where `process.versions.node` is absent (browsers).
  assert.equal(GUARDED_NODE_REQUIRES.length, 6);
  for (const g of GUARDED_NODE_REQUIRES) {
    assert.deepEqual([...g.modules].sort(), ['fs', 'path']);
    const src = fs.readFileSync(path.join(REPO_ROOT, g.file), 'utf8');
    assert.match(src, /var ENVIRONMENT_IS_NODE=typeof process=="object"&&typeof process\.versions=="object"&&typeof process\.versions\.node=="string"/, g.file);
    const requires = src.match(/require\("[^"]*"\)/g) ?? [];
    assert.deepEqual(requires, ['require("fs")', 'require("path")'], `${g.file}: unexpected requires`);
    assert.ok(src.includes('if(ENVIRONMENT_IS_NODE){var fs=require("fs");var nodePath=require("path");'), `${g.file}: require no longer behind the Node check`);
  }
});
