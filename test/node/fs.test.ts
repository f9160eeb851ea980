import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readBytes, writeFileAtomic, ensureDir } from '../../src/node/fs.js';
import { FileAccessError } from '../../src/errors.js';
import { tmpDir } from '../helpers.js';

test('writeFileAtomic replaces the file whole and leaves no temp files', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'sub', 'a.txt');
  writeFileAtomic(f, 'one');
  writeFileAtomic(f, 'two');
  assert.equal(fs.readFileSync(f, 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(path.dirname(f)), ['a.txt']);
});

test('readBytes names the missing file; ensureDir refuses a file in the way', () => {
  const dir = tmpDir();
  assert.throws(() => readBytes(path.join(dir, 'nope.bin')), (e: unknown) => e instanceof FileAccessError && /nope\.bin: no such file/.test(e.message));
  const f = path.join(dir, 'x');
  fs.writeFileSync(f, '1');
  assert.throws(() => ensureDir(f), FileAccessError);
  assert.throws(() => writeFileAtomic(path.join(f, 'y'), 'z'), FileAccessError);
});
