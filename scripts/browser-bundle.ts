/**
 * Bundles the browser-safe core (src/index.ts) with esbuild for `platform: 'browser'` and checks
 * that nothing Node-only got in. Used by `npm run build:browser` (writes dist/browser/medlens.js)
 * and by test/browser/bundle.test.ts, so the shipped bundle and the tested one are the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Node builtins that third-party packages may `require` although the bundle targets browsers,
 * because the require is unreachable there. The cornerstone codec glue (emscripten) does
 * `if (ENVIRONMENT_IS_NODE) { var fs = require("fs"); var nodePath = require("path"); ... }`
 * where ENVIRONMENT_IS_NODE is false in a browser; esbuild turns the external require into a stub
 * that would throw only if called. Only these exact (file, module) pairs, as `require()` calls,
 * are let through; any other builtin import fails the build.
 */
export const GUARDED_NODE_REQUIRES: readonly { file: string; modules: readonly string[] }[] = [
  'codec-charls/dist/charlsjs_decode.js',
  'codec-charls/dist/charlswasm_decode.js',
  'codec-libjpeg-turbo-8bit/dist/libjpegturbojs_decode.js',
  'codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.js',
  'codec-openjpeg/dist/openjpegjs_decode.js',
  'codec-openjpeg/dist/openjpegwasm_decode.js',
].map((f) => ({ file: `node_modules/@cornerstonejs/${f}`, modules: ['fs', 'path'] }));

/** Source files that must never reach the browser bundle (Node-only by convention). */
export const NODE_ONLY_SOURCES = /^src\/(node|cli)\/|^src\/backend\/(node|native[^/]*)\.ts$/;

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Whether `specifier` names a Node builtin (`fs`, `fs/promises`, `node:fs`, ...). */
export function isNodeBuiltin(specifier: string): boolean {
  return BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]) || specifier.startsWith('node:');
}

function relToRoot(file: string): string {
  return path.relative(REPO_ROOT, file).split(path.sep).join('/');
}

/** Marks the GUARDED_NODE_REQUIRES external; every other builtin is left to fail resolution. */
const guardedRequiresPlugin: esbuild.Plugin = {
  name: 'medlens-guarded-node-requires',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (args.kind !== 'require-call' || !isNodeBuiltin(args.path)) return undefined;
      const importer = relToRoot(args.importer);
      const allowed = GUARDED_NODE_REQUIRES.some((g) => g.file === importer && g.modules.includes(args.path));
      return allowed ? { path: args.path, external: true } : undefined;
    });
  },
};

/** What a browser bundle contains, and what in it breaks the browser-safety rules. */
export interface BrowserBundle {
  metafile: esbuild.Metafile;
  /** Output files (path relative to the repository root, as in the metafile) -> bytes. */
  outputs: Map<string, number>;
  /** Output contents by the same paths, when not written to disk. */
  files: Map<string, Uint8Array>;
  /** Node-only sources found in the bundle's inputs. */
  nodeOnlyInputs: string[];
  /** External imports that are Node builtins and not in GUARDED_NODE_REQUIRES: `importer -> module`. */
  unguardedBuiltins: string[];
}

/** Options for `bundleBrowser`. */
export interface BundleOptions {
  /** Entry file relative to the repository root (default src/index.ts), or source text via `stdin`. */
  entry?: string;
  stdin?: { contents: string; resolveDir: string };
  /** Write to this folder (absolute or relative to the root); else keep the output in memory. */
  outdir?: string;
  minify?: boolean;
}

/**
 * Bundles for browsers (ESM). Rejects (esbuild's error) when a Node builtin is imported anywhere
 * outside GUARDED_NODE_REQUIRES; the returned lists report what else the rules forbid.
 * Dynamic imports (the DICOM codecs) become separate chunks loaded on first use.
 */
export async function bundleBrowser(opts: BundleOptions = {}): Promise<BrowserBundle> {
  // In-memory builds still need an outdir to name the chunks; paths stay dist/browser/... either way.
  const outdir = path.resolve(REPO_ROOT, opts.outdir ?? 'dist/browser');
  const input = opts.stdin
    ? { stdin: { ...opts.stdin, loader: 'ts' as const, sourcefile: 'stdin.ts' } }
    : { entryPoints: { medlens: opts.entry ?? 'src/index.ts' } };
  const result = await esbuild.build({
    ...input,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    splitting: true,
    outdir,
    entryNames: opts.stdin ? 'snippet' : '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    minify: opts.minify ?? true,
    sourcemap: false,
    metafile: true,
    write: opts.outdir !== undefined,
    logLevel: 'silent',
    plugins: [guardedRequiresPlugin],
  });
  const metafile = result.metafile;
  const outputs = new Map<string, number>();
  for (const [file, out] of Object.entries(metafile.outputs)) outputs.set(file, out.bytes);
  const files = new Map((result.outputFiles ?? []).map((f) => [relToRoot(f.path), f.contents] as const));
  const nodeOnlyInputs = Object.keys(metafile.inputs).filter((f) => NODE_ONLY_SOURCES.test(f));
  const unguardedBuiltins: string[] = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || !isNodeBuiltin(imp.path)) continue;
      if (!GUARDED_NODE_REQUIRES.some((g) => g.file === file && g.modules.includes(imp.path))) unguardedBuiltins.push(`${file} -> ${imp.path}`);
    }
  }
  return { metafile, outputs, files, nodeOnlyInputs, unguardedBuiltins };
}

/** tfjs wasm binaries copied beside the bundle, so `wasmCandidate(new URL('./', import.meta.url).href)` works. */
export const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * `npm run build:browser [-- outdir]`: writes medlens.js (+ chunks/) and the tfjs wasm binaries to
 * dist/browser (or `outdir`) and fails on any violation of the browser-safety rules.
 */
export async function buildBrowser(outdir = 'dist/browser'): Promise<BrowserBundle> {
  const b = await bundleBrowser({ outdir });
  const problems = [...b.nodeOnlyInputs.map((f) => `Node-only source bundled: ${f}`), ...b.unguardedBuiltins.map((s) => `Node builtin: ${s}`)];
  if (problems.length) throw new Error(`browser bundle breaks the browser-safety rules:\n${problems.join('\n')}`);
  const wasmDir = path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of TFJS_WASM_FILES) fs.copyFileSync(path.join(wasmDir, f), path.resolve(REPO_ROOT, outdir, f));
  return b;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildBrowser(process.argv[2]).then((b) => {
    for (const [file, bytes] of b.outputs) console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`);
  }, (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
