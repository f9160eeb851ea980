import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNpy, parseNpy } from '../../src/cli/npy.js';
import { Command } from 'commander';
import { backendOption, parseInteger, parseList, parseNumber } from '../../src/cli/options.js';
import { buildProgram } from '../../src/cli/main.js';
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../../src/errors.js';

function npyWithHeader(header: string, data: Uint8Array): Uint8Array {
  const h = header + ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(new TextEncoder().encode(h), 10);
  out.set(data, 10 + h.length);
  return out;
}

test('.npy round-trips float32 and reads big-endian float64 and int16', () => {
  const a = parseNpy(encodeNpy(new Float32Array([1.5, -2, 3, 4, 5, 6]), [2, 3, 1]), 'a.npy');
  assert.deepEqual(a.shape, [2, 3, 1]);
  assert.deepEqual(Array.from(a.data), [1.5, -2, 3, 4, 5, 6]);
  const be = new Uint8Array(16);
  new DataView(be.buffer).setFloat64(0, 0.25, false);
  new DataView(be.buffer).setFloat64(8, -8, false);
  assert.deepEqual(Array.from(parseNpy(npyWithHeader("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be), 'b.npy').data), [0.25, -8]);
  const i16 = new Uint8Array(new Int16Array([-300, 7]).buffer);
  assert.deepEqual(Array.from(parseNpy(npyWithHeader("{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2), }", i16), 'c.npy').data), [-300, 7]);
});

test('.npy errors: bad magic, truncated data, Fortran order, unknown dtype', () => {
  assert.throws(() => parseNpy(new Uint8Array(20), 'x.npy'), (e: unknown) => e instanceof CorruptFileError && /x\.npy.*magic/.test(e.message));
  const full = encodeNpy(new Float32Array(4), [4]);
  assert.throws(() => parseNpy(full.subarray(0, full.length - 2), 'x.npy'), /truncated/);
  assert.throws(() => parseNpy(npyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4)), 'x.npy'), UnsupportedError);
  assert.throws(() => parseNpy(npyWithHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), 'x.npy'), UnsupportedError);
});

test('option parsers accept valid values and name the option otherwise', () => {
  assert.equal(parseNumber('--lr', '0.01', 0, 1, true), 0.01);
  assert.throws(() => parseNumber('--lr', '0', 0, 1, true), (e: unknown) => e instanceof InvalidInputError && e.message.startsWith('--lr:'));
  assert.throws(() => parseNumber('--lr', 'abc'), /--lr/);
  assert.throws(() => parseNumber('--lr', ''), /--lr/);
  assert.equal(parseInteger('--epochs', '12', 1), 12);
  assert.throws(() => parseInteger('--epochs', '1.5', 1), /integer/);
  assert.throws(() => parseInteger('--epochs', '0', 1), />= 1/);
  assert.deepEqual(parseList('101, 106 ,108'), ['101', '106', '108']);
});

test('backendOption parses --backend and every tensor command shares its flag and help text', () => {
  const cmd = new Command('x').exitOverride().addOption(backendOption());
  assert.equal(cmd.parse(['--backend', 'wasm'], { from: 'user' }).opts().backend, 'wasm');
  assert.equal(new Command('y').addOption(backendOption()).parse([], { from: 'user' }).opts().backend, undefined);
  const help = 'force a tensor backend: tensorflow, native, wasm or cpu';
  const all: Command[] = [];
  const walk = (c: Command): void => { all.push(c); c.commands.forEach(walk); };
  walk(buildProgram());
  const withBackend = all.filter((c) => c.options.some((o) => o.long === '--backend' && o.description === help)).map((c) => c.name());
  for (const name of ['ecg', 'predict', 'explain', 'demo', 'gradcam-depth', 'ecg-lstm']) assert.ok(withBackend.includes(name), `${name} lacks --backend`);
});
