import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sharedData, tmpDir } from '../helpers.js';
import { parseWfdbHeader, decodeWfdbRecord, wfdbChecksum, toChannelsLast } from '../../src/data/wfdb.js';
import { readWfdbRecord, readWfdbHeader } from '../../src/node/data.js';
import { CorruptFileError, FileAccessError, InvalidInputError, UnsupportedError } from '../../src/errors.js';

const mit = sharedData('ecg/mitdb');
const ludb = sharedData('ecg/ludb-record1');
const ptb = sharedData('ecg/ptbdb-s0010_re');
const ptbxl = sharedData('ecg/ptbxl-00001_lr');

test('header: record line, CRLF, defaults, gain(baseline)/units, description with spaces, comments', () => {
  const h = parseWfdbHeader('rec 3 500/1000(0) 10\r\nr.dat 16 1716(6)/uV 12 5 -120 -3 0 lead one\r\n# a comment\r\nr.dat 16+24\r\nr.dat 212 0\r\n', 'rec.hea');
  assert.equal(h.recordName, 'rec');
  assert.equal(h.fs, 500);
  assert.equal(h.numSamples, 10);
  assert.deepEqual(h.comments, ['a comment']);
  const [a, b, c] = h.signals;
  assert.deepEqual([a.gain, a.baseline, a.units, a.adcResolution, a.adcZero, a.initialValue, a.checksum, a.description], [1716, 6, 'uV', 12, 5, -120, -3, 'lead one']);
  assert.deepEqual([b.format, b.byteOffset, b.gain, b.baseline, b.units], [16, 24, 200, 0, 'mV']);
  assert.equal(c.gain, 200, 'gain 0 means the WFDB default 200');
  assert.equal(c.format, 212);
});

test('header: malformed and unsupported headers throw typed errors', () => {
  assert.throws(() => parseWfdbHeader('', 'e.hea'), CorruptFileError);
  assert.throws(() => parseWfdbHeader('r 2 360 100\nr.dat 212\n', 't.hea'), (e: unknown) => e instanceof CorruptFileError && /2 signals but only 1/.test(e.message));
  assert.throws(() => parseWfdbHeader('r 1 abc 100\nr.dat 212\n', 'f.hea'), (e: unknown) => e instanceof CorruptFileError && e.offset === 0);
  assert.throws(() => parseWfdbHeader('r 1 360 100\nr.dat 2x2y\n', 'g.hea'), (e: unknown) => e instanceof CorruptFileError && e.offset === 12);
  assert.throws(() => parseWfdbHeader('r 1 360 100\nr.dat 16 1x(0)/mV\n', 'g.hea'), CorruptFileError);
  assert.throws(() => parseWfdbHeader('r/3 2 360 100\n', 'm.hea'), UnsupportedError);
  assert.throws(() => parseWfdbHeader('r 1 360 100\nr.dat 16x2\n', 'x.hea'), UnsupportedError);
  const h = parseWfdbHeader('r 1 360 2\nr.dat 310\n', 'u.hea');
  assert.throws(() => decodeWfdbRecord(h, { 'r.dat': new Uint8Array(8) }), UnsupportedError);
});

test('formats 212, 16, 61, 80, 160, 24 decode hand-packed samples; physical = (d - baseline) / gain', () => {
  // 212: samples (1, -1) and (2047, -2048) packed low byte, high nibbles, second low byte.
  const h212 = parseWfdbHeader('r 2 360 2\nr.dat 212 100(10) 12 0 1 0\nr.dat 212 200 12 0 -1 0\n', 'r.hea');
  const bytes212 = new Uint8Array([0x01, 0xf0, 0xff, 0xff, 0x87, 0x00]);
  const r = decodeWfdbRecord(h212, { 'r.dat': bytes212 }, { verifyChecksum: false });
  assert.deepEqual([...r.digital[0]], [1, 2047]);
  assert.deepEqual([...r.digital[1]], [-1, -2048]);
  assert.ok(Math.abs(r.physical[0][1] - (2047 - 10) / 100) < 1e-6);
  assert.ok(Number.isNaN(r.physical[1][1]), '-2048 is the invalid-sample sentinel of format 212');
  assert.deepEqual([...toChannelsLast(r.physical.map((p) => p.subarray(0, 1)))].map((v) => Math.round(v * 1000)), [-90, -5]);
  const cases: [string, number[], number[]][] = [
    ['16', [0x34, 0x12, 0xff, 0xff], [0x1234, -1]],
    ['61', [0x12, 0x34, 0xff, 0xfe], [0x1234, -2]],
    ['80', [0x80, 0x00], [0, -128]],
    ['160', [0x00, 0x80, 0xff, 0x7f], [0, -1]],
    ['24', [0x01, 0x00, 0x00, 0xff, 0xff, 0xff], [1, -1]],
  ];
  for (const [fmt, raw, expected] of cases) {
    const h = parseWfdbHeader(`r 1 100 2\nr.dat ${fmt}\n`, 'r.hea');
    assert.deepEqual([...decodeWfdbRecord(h, { 'r.dat': new Uint8Array(raw) }).digital[0]], expected, `format ${fmt}`);
  }
  // Without a sample count the length comes from the file size; checksum is the 16-bit sum.
  const h = parseWfdbHeader('r 1 100\nr.dat 16 200 16 0 0 65535\n', 'r.hea');
  const d = decodeWfdbRecord(h, { 'r.dat': new Uint8Array([0xff, 0xff, 0, 0]) });
  assert.equal(d.numSamples, 2);
  assert.equal(wfdbChecksum(d.digital[0]), 65535);
  assert.throws(() => decodeWfdbRecord(h, {}), InvalidInputError);
  assert.throws(() => decodeWfdbRecord(h, { 'r.dat': new Uint8Array(4) }, { channels: [1] }), InvalidInputError);
});

test('MIT-BIH 101: format 212 two leads, sample count, first samples, checksums pass', { skip: mit.skip }, () => {
  const r = readWfdbRecord(path.join(mit.path, '101'));
  assert.equal(r.fs, 360);
  assert.equal(r.numSamples, 650000);
  assert.deepEqual(r.header.signals.map((s) => s.description), ['MLII', 'V1']);
  assert.deepEqual([r.digital[0][0], r.digital[1][0]], [955, 992], 'initial values from the header');
  assert.ok(Math.abs(r.physical[0][0] - (955 - 1024) / 200) < 1e-6);
  assert.deepEqual(r.header.comments, ['75 F 1011 654 x1', 'Diapres']);
  const only = readWfdbRecord(path.join(mit.path, '101.hea'), { channels: [1] });
  assert.deepEqual(only.channels, [1]);
  assert.deepEqual(only.digital[0].subarray(0, 100), r.digital[1].subarray(0, 100));
});

test('MIT-BIH: truncated data, flipped byte and missing file give typed errors', { skip: mit.skip }, () => {
  const header = readWfdbHeader(path.join(mit.path, '101'));
  const dat = fs.readFileSync(path.join(mit.path, '101.dat'));
  const cut = new Uint8Array(dat.subarray(0, 1000));
  assert.throws(() => decodeWfdbRecord(header, { '101.dat': cut }), (e: unknown) => e instanceof CorruptFileError && e.offset === 1000 && /truncated/.test(e.message));
  const flipped = new Uint8Array(dat);
  flipped[3000] ^= 0x01;
  assert.throws(() => decodeWfdbRecord(header, { '101.dat': flipped }), (e: unknown) => e instanceof CorruptFileError && /checksum mismatch/.test(e.message));
  assert.doesNotThrow(() => decodeWfdbRecord(header, { '101.dat': flipped }, { verifyChecksum: false }));
  assert.throws(() => readWfdbRecord(path.join(mit.path, 'nope')), FileAccessError);
});

test('a header naming a data file outside its folder is rejected', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'evil.hea'), 'evil 1 360 2\n../secret.dat 16\n');
  assert.throws(() => readWfdbRecord(path.join(dir, 'evil')), (e: unknown) => e instanceof CorruptFileError && /leaves the record's folder/.test(e.message));
});

test('LUDB record 1: 12 leads format 16 at 500 Hz, gain(baseline) header, checksums pass', { skip: ludb.skip }, () => {
  const r = readWfdbRecord(path.join(ludb.path, '1'));
  assert.equal(r.physical.length, 12);
  assert.equal(r.numSamples, 5000);
  assert.equal(r.fs, 500);
  const s = r.header.signals[0];
  assert.deepEqual([s.gain, s.baseline, s.units, s.description], [1716, 6, 'mV', 'i']);
  assert.equal(r.digital[0][0], -120);
  assert.ok(Math.abs(r.physical[0][0] - (-120 - 6) / 1716) < 1e-7);
  assert.ok(r.header.comments.includes('Rhythm: Sinus bradycardia.'));
});

test('PTB s0010_re: 15 leads in two data files (.dat, .xyz), 1000 Hz', { skip: ptb.skip }, () => {
  const r = readWfdbRecord(path.join(ptb.path, 's0010_re'));
  assert.equal(r.physical.length, 15);
  assert.equal(r.numSamples, 38400);
  assert.deepEqual([r.digital[0][0], r.digital[12][0], r.digital[14][0]], [-489, -3, -18]);
  assert.equal(r.header.signals[14].description, 'vz');
  assert.ok(Math.abs(r.physical[0][0] - -489 / 2000) < 1e-7);
});

test('PTB-XL 00001_lr: format 16, unsigned checksums in the header still verify', { skip: ptbxl.skip }, () => {
  const r = readWfdbRecord(path.join(ptbxl.path, '00001_lr'));
  assert.equal(r.physical.length, 12);
  assert.equal(r.numSamples, 1000);
  assert.equal(r.fs, 100);
  assert.equal(r.header.signals[2].checksum, 64758);
  assert.equal(wfdbChecksum(r.digital[2]), 64758);
  assert.ok(Math.abs(r.physical[0][0] - -0.119) < 1e-6);
});
