import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sharedData } from '../helpers.js';
import { parseMitAnnotations, waveSegments, waveLabels, BEAT_SYMBOLS, ANNOTATION_SYMBOLS } from '../../src/data/annotations.js';
import { readAnnotations, readWaveAnnotations } from '../../src/node/data.js';
import { CorruptFileError } from '../../src/errors.js';

const mit = sharedData('ecg/mitdb');
const ludb = sharedData('ecg/ludb-record1');

/** Encodes one MIT annotation word (6-bit code, 10-bit value), little-endian. */
const word = (code: number, value: number) => [((code << 10) | value) & 0xff, ((code << 10) | value) >> 8];

test('hand-made file: SKIP, SUB, CHN, NUM (persistent), AUX with padding, end marker', () => {
  const bytes = new Uint8Array([
    ...word(1, 100), // N at 100
    ...word(59, 0), 0x01, 0x00, 0x00, 0x00, // SKIP 65536 (high half first)
    ...word(5, 4), // V at 100 + 65536 + 4
    ...word(61, 2), ...word(62, 1), ...word(60, 3),
    ...word(28, 10), // + at 65650
    ...word(63, 5), 0x28, 0x41, 0x46, 0x49, 0x42, 0x00, // AUX "(AFIB" padded
    ...word(0, 0),
    0xde, 0xad, // bytes after the end marker are ignored
  ]);
  const a = parseMitAnnotations(bytes, 'hand.atr');
  assert.deepEqual(a.map((x) => [x.sample, x.symbol, x.subtype, x.chan, x.num, x.aux]), [
    [100, 'N', 0, 0, 0, ''],
    [65640, 'V', 2, 1, 3, ''],
    [65650, '+', 0, 1, 3, '(AFIB'],
  ]);
});

test('truncated or malformed annotation files throw CorruptFileError with the offset', () => {
  assert.throws(() => parseMitAnnotations(new Uint8Array([...word(1, 5), 0x01]), 'odd.atr'), (e: unknown) => e instanceof CorruptFileError && e.offset === 2);
  assert.throws(() => parseMitAnnotations(new Uint8Array([...word(1, 5), ...word(63, 8), 0x41]), 'aux.atr'), (e: unknown) => e instanceof CorruptFileError && e.offset === 4);
  assert.throws(() => parseMitAnnotations(new Uint8Array([...word(1, 5), ...word(59, 0), 0, 0]), 'skip.atr'), (e: unknown) => e instanceof CorruptFileError && e.offset === 4);
  assert.throws(() => parseMitAnnotations(new Uint8Array([...word(52, 5)]), 'code.atr'), (e: unknown) => e instanceof CorruptFileError && e.offset === 0 && /code 52/.test(e.message));
  assert.throws(() => parseMitAnnotations(new Uint8Array([...word(61, 5)]), 'sub.atr'), CorruptFileError);
});

test('MIT-BIH .atr of all records: annotation, beat and per-symbol counts and rhythms match beat_label_counts.csv', { skip: mit.skip }, () => {
  const rows = fs.readFileSync(path.join(mit.path, 'beat_label_counts.csv'), 'utf8').trim().split(/\r?\n/);
  const cols = rows[0].split(',');
  const symbols = cols.slice(3, 18);
  assert.equal(rows.length - 1, 26);
  for (const row of rows.slice(1)) {
    const f = row.split(',');
    const ann = readAnnotations(path.join(mit.path, `${f[0]}.atr`));
    assert.equal(ann.length, Number(f[1]), `${f[0]} annotations`);
    const beats = ann.filter((a) => BEAT_SYMBOLS.has(a.symbol));
    assert.equal(beats.length, Number(f[2]), `${f[0]} beats`);
    symbols.forEach((s, k) => assert.equal(beats.filter((b) => b.symbol === s).length, Number(f[3 + k]), `${f[0]} symbol ${s}`));
    const rhythms = [...new Set(ann.filter((a) => a.symbol === '+').map((a) => a.aux))].sort().join(' ');
    assert.equal(rhythms, f[cols.length - 1], `${f[0]} rhythms`);
    for (let i = 1; i < ann.length; i++) assert.ok(ann[i].sample >= ann[i - 1].sample, 'times never decrease');
  }
});

test('MIT-BIH 101.atr cut mid-file is rejected with the cut position', { skip: mit.skip }, () => {
  const bytes = fs.readFileSync(path.join(mit.path, '101.atr'));
  // Cutting right after the AUX length word of the first annotation leaves the text missing.
  assert.throws(() => parseMitAnnotations(new Uint8Array(bytes.subarray(0, 5)), '101.atr'), (e: unknown) => e instanceof CorruptFileError && e.offset === 4);
  assert.throws(() => parseMitAnnotations(new Uint8Array(bytes.subarray(0, 101)), '101.atr'), (e: unknown) => e instanceof CorruptFileError && e.offset === 100);
});

test('LUDB per-lead wave annotations: onset ( peak ) offset grouping and per-sample labels', { skip: ludb.skip }, () => {
  // Reference counts and first samples from an independent Python decode of the raw words.
  const ii = readAnnotations(path.join(ludb.path, '1.ii'));
  assert.equal(ii.length, 48);
  assert.deepEqual(ii.slice(0, 6).map((a) => [a.sample, a.symbol]), [[644, '('], [662, 'N'], [682, ')'], [776, '('], [843, 't'], [878, ')']]);
  const seg = waveSegments(ii);
  const count = (w: string) => seg.filter((s) => s.wave === w).length;
  assert.deepEqual([count('p'), count('N'), count('t')], [5, 6, 5]);
  assert.deepEqual(seg[0], { wave: 'N', onset: 644, peak: 662, offset: 682 });
  const labels = waveLabels(seg, 5000);
  assert.deepEqual([labels[643], labels[644], labels[682], labels[683], labels[800]], [0, 2, 2, 0, 3]);
  const v6 = readAnnotations(path.join(ludb.path, '1.v6'));
  assert.deepEqual(v6.slice(0, 3).map((a) => a.sample), [643, 663, 679]);
  assert.equal(ANNOTATION_SYMBOLS[24], 'p');
});

test('readWaveAnnotations reads every lead file of LUDB record 1 in header order', { skip: ludb.skip }, () => {
  const leads = readWaveAnnotations(path.join(ludb.path, '1'));
  assert.deepEqual(leads.map((l) => l.lead), ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  assert.deepEqual(leads[1].waves, waveSegments(readAnnotations(path.join(ludb.path, '1.ii'))));
  assert.deepEqual(leads[11].waves[0], { wave: 'N', onset: 643, peak: 663, offset: 679 });
  for (const l of leads) assert.ok(l.waves.length >= 14, `${l.lead} has ${l.waves.length} waves`);
});
