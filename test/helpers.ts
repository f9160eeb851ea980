/** Shared test helpers: real-data paths, tolerance checks, tensor-leak checks. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Root of the read-only real data (../shared/data next to the repository). */
export const SHARED_DATA = process.env.MEDLENS_SHARED_DATA ?? path.resolve(repoRoot, '..', 'shared', 'data');

/**
 * Path of a file under ../shared/data, or a skip reason for node:test when the data is absent.
 * In CI the data must be there, so its absence fails instead of skipping.
 */
export function sharedData(rel: string): { path: string; skip: false } | { path: string; skip: string } {
  const p = path.join(SHARED_DATA, rel);
  if (fs.existsSync(p)) return { path: p, skip: false };
  if (process.env.CI === 'true') throw new Error(`real data missing in CI: ${p}`);
  return { path: p, skip: `real data not found at ${p} (../shared/data absent): skipped` };
}

/** Asserts two arrays agree elementwise within `atol + rtol * |expected|`; returns max abs error. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4, label = ''): number {
  assert.equal(actual.length, expected.length, `${label} length ${actual.length} != ${expected.length}`);
  let maxErr = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    maxErr = Math.max(maxErr, err);
    if (!(err <= atol + rtol * Math.abs(expected[i]))) {
      assert.fail(`${label} index ${i}: ${actual[i]} vs ${expected[i]} (err ${err})`);
    }
  }
  return maxErr;
}

/** A fresh temporary folder, removed when the process exits. */
export function tmpDir(prefix = 'medlens-test-'): string {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync((process.env.TMPDIR ?? '/tmp')), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
