import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the medlens entry point prints a user error as one line with exit code 2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', 'ecg', '--synthetic', '--epochs', 'nope'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim(), "medlens: error: --epochs: 'nope' must be an integer >= 1");
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--help'], { cwd: root, encoding: 'utf8' });
  for (const cmd of ['backend', 'train', 'predict', 'demo']) assert.match(help.stdout, new RegExp(`\\n  ${cmd}\\b`));
});
