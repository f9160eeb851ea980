import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sharedData } from '../helpers.js';
import { AAMI_CLASSES, DS1_RECORDS, DS2_RECORDS, PACED_RECORDS, aamiClass, segmentBeats, concatBeatDatasets } from '../../src/data/mitbih.js';
import { capEvenlyPerKey, classBalance, formatClassBalance, splitByGroup, subsetDataset } from '../../src/data/mitbih-split.js';
import { loadMitbihBeats, readAnnotations, readWfdbRecord } from '../../src/node/data.js';
import { BEAT_SYMBOLS, type Annotation } from '../../src/data/annotations.js';
import { FileAccessError, InvalidInputError } from '../../src/errors.js';

const mit = sharedData('ecg/mitdb');

const ann = (sample: number, symbol: string): Annotation => ({ sample, symbol, code: 0, subtype: 0, chan: 0, num: 0, aux: '' });

test('AAMI mapping and the de Chazal record lists', () => {
  assert.deepEqual(['N', 'L', 'R', 'e', 'j', 'A', 'a', 'J', 'S', 'V', 'E', 'F', '/', 'f', 'Q'].map(aamiClass), [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4, 4, 4]);
  assert.deepEqual(['+', '~', '|', 'x', '"'].map(aamiClass), [-1, -1, -1, -1, -1]);
  assert.equal(DS1_RECORDS.length, 22);
  assert.equal(DS2_RECORDS.length, 22);
  const all = new Set([...DS1_RECORDS, ...DS2_RECORDS, ...PACED_RECORDS]);
  assert.equal(all.size, 48, 'the three lists partition the 48 MIT-BIH records');
});

test('segmentBeats on a synthetic signal: windows, labels, RR, edge beats dropped, normalisation', () => {
  const sig = Float32Array.from({ length: 1000 }, (_, i) => i);
  const anns = [ann(5, 'N'), ann(100, 'N'), ann(150, '+'), ann(300, 'V'), ann(520, 'A'), ann(995, 'N')];
  const ds = segmentBeats(sig, 100, anns, 'r1', { before: 10, after: 20, unit: 'samples' });
  assert.deepEqual(ds.shape, [3, 30, 1]);
  assert.deepEqual([...ds.y], [0, 2, 1]);
  assert.deepEqual([...ds.rPeak], [100, 300, 520]);
  assert.deepEqual([ds.x[0], ds.x[29], ds.x[30]], [90, 119, 290]);
  assert.deepEqual([...ds.rr].map((v) => Math.round(v * 100)), [95, 200, 200, 220, 220, 475]);
  assert.deepEqual(ds.groups, ['r1', 'r1', 'r1']);
  const z = segmentBeats(sig, 100, anns, 'r1', { before: 0.1, after: 0.2, normalize: 'zscore' });
  const w = z.x.subarray(0, 30);
  const mean = w.reduce((s, v) => s + v, 0) / 30;
  const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / 30);
  assert.ok(Math.abs(mean) < 1e-5 && Math.abs(std - 1) < 1e-5);
  const nan = sig.slice();
  nan[300] = NaN;
  assert.deepEqual(segmentBeats(nan, 100, anns, 'r1', { before: 10, after: 20, unit: 'samples' }).shape[0], 2, 'beats with invalid samples are dropped');
  assert.throws(() => segmentBeats(sig, 100, anns, 'r1', { before: 90 }), InvalidInputError, '90 seconds is surely a unit mistake');
  assert.throws(() => segmentBeats(sig, 100, anns, 'r1', { before: 1.5, unit: 'samples' }), InvalidInputError);
  assert.throws(() => segmentBeats(sig, 100, anns, 'r1', { maxPerClassPerRecord: -1 }), InvalidInputError);
  assert.throws(() => segmentBeats(sig, 100, anns, 'r1', { resampleTo: 0 }), (e: unknown) => e instanceof InvalidInputError && e.what === 'resampleTo');
  assert.throws(() => segmentBeats(sig, NaN, anns, 'r1'), InvalidInputError);
  assert.throws(() => concatBeatDatasets([ds, z].map((d, k) => (k === 1 ? { ...d, shape: [3, 31, 1] } : d))), InvalidInputError);
});

test('DS1 beats: per-record AAMI counts equal beat_label_counts.csv minus the two edge beats; windows are the record samples', { skip: mit.skip }, () => {
  const ds = loadMitbihBeats(mit.path, { before: 0, after: 1, unit: 'samples' });
  const rows = fs.readFileSync(path.join(mit.path, 'beat_label_counts.csv'), 'utf8').trim().split(/\r?\n/);
  const cols = rows[0].split(',');
  const aamiCol = cols.indexOf('AAMI_N');
  const balance = classBalance(ds);
  assert.deepEqual(balance.perGroup.map((g) => g.group), [...DS1_RECORDS]);
  for (const row of rows.slice(1)) {
    const f = row.split(',');
    if (!DS1_RECORDS.includes(f[0])) continue;
    const expected = f.slice(aamiCol, aamiCol + 5).map(Number);
    const beats = readAnnotations(path.join(mit.path, `${f[0]}.atr`)).filter((a) => BEAT_SYMBOLS.has(a.symbol));
    expected[aamiClass(beats[0].symbol)]--;
    expected[aamiClass(beats[beats.length - 1].symbol)]--;
    assert.deepEqual(balance.perGroup.find((g) => g.group === f[0])!.counts, expected, `record ${f[0]}`);
  }
  assert.equal(ds.fs, 360);
  // Record 114 stores MLII second: the default lead picks it by name.
  const rec114 = readWfdbRecord(path.join(mit.path, '114'), { channels: [1] });
  const i = ds.groups!.indexOf('114');
  assert.equal(ds.x[i], rec114.physical[0][ds.rPeak[i]]);
  const beats114 = readAnnotations(path.join(mit.path, '114.atr')).filter((a) => BEAT_SYMBOLS.has(a.symbol));
  assert.equal(ds.rr[2 * i], Math.fround((beats114[1].sample - beats114[0].sample) / 360));
  assert.equal(ds.rr[2 * i + 1], Math.fround((beats114[2].sample - beats114[1].sample) / 360));
});

test('loader options: resampleTo, maxPerClassPerRecord, lead index, paced records, errors', { skip: mit.skip }, () => {
  const base = loadMitbihBeats(mit.path, { records: ['208'] });
  assert.deepEqual(base.shape.slice(1), [252, 1]);
  const rs = loadMitbihBeats(mit.path, { records: ['208'], resampleTo: 250 });
  assert.deepEqual(rs.shape, [base.shape[0], 176, 1]);
  assert.equal(rs.fs, 250);
  // The resampled R-peak sample sits within the amplitude range of its neighbours at 360 Hz.
  const peakRs = rs.x[63];
  assert.ok(Math.abs(peakRs - base.x[90]) < 0.15, `R peak ${peakRs} vs ${base.x[90]}`);
  const events: string[] = [];
  const capped = loadMitbihBeats(mit.path, { records: ['208', '201'], maxPerClassPerRecord: 50, onProgress: (e) => events.push(`${e.task} ${e.done}/${e.total} ${e.info?.record}`) });
  assert.deepEqual(events, ['load:mitbih 1/2 208', 'load:mitbih 2/2 201']);
  const cb = classBalance(capped);
  assert.deepEqual(cb.perGroup.find((g) => g.group === '208')!.counts, [50, 2, 50, 50, 2]);
  assert.deepEqual(cb.perGroup.find((g) => g.group === '201')!.counts, [50, 50, 50, 2, 0]);
  const paced = loadMitbihBeats(mit.path, { records: ['102'], lead: 0 });
  assert.ok(classBalance(paced).total[4] > 2000, 'paced beats are AAMI class Q');
  assert.throws(() => loadMitbihBeats(mit.path, { records: ['102'] }), (e: unknown) => e instanceof InvalidInputError && /no lead 'MLII'/.test(e.message));
  assert.throws(() => loadMitbihBeats(mit.path, { records: ['208'], lead: 5 }), InvalidInputError);
  assert.throws(() => loadMitbihBeats(mit.path, { records: ['100'] }), FileAccessError, 'DS2 records are not shipped');
  assert.throws(() => loadMitbihBeats(path.join(mit.path, 'nope')), FileAccessError);
  assert.throws(() => loadMitbihBeats(mit.path, { records: ['../mitdb/101'] }), InvalidInputError);
  assert.throws(() => loadMitbihBeats(mit.path, { records: [] }), InvalidInputError);
});

test('splitByGroup keeps each record on one side, reaches the fraction, is seeded, and carries RR', () => {
  const parts = ['a', 'b', 'c', 'd', 'e'].map((g, k) => {
    const sig = Float32Array.from({ length: 2000 }, (_, i) => i + 10000 * k);
    const anns = Array.from({ length: 5 + 3 * k }, (_, i) => ann(50 + 100 * i, i % 2 ? 'V' : 'N'));
    return segmentBeats(sig, 100, anns, g, { before: 2, after: 3, unit: 'samples' });
  });
  const ds = concatBeatDatasets(parts);
  const s = splitByGroup(ds, { valFraction: 0.3, seed: 7 });
  assert.equal(s.train.shape[0] + s.val.shape[0], ds.shape[0]);
  assert.ok(s.val.shape[0] >= 0.3 * ds.shape[0]);
  assert.deepEqual(new Set([...s.train.groups!, ...s.val.groups!]).size, 5);
  for (const g of s.val.groups!) assert.ok(!s.train.groups!.includes(g));
  assert.deepEqual([...new Set(s.val.groups)].sort(), s.valGroups);
  const k = s.valIndices[3];
  assert.deepEqual([...s.val.x.subarray(15, 20)], [...ds.x.subarray(k * 5, k * 5 + 5)]);
  assert.deepEqual([...s.val.rr.subarray(6, 8)], [...ds.rr.subarray(2 * k, 2 * k + 2)]);
  assert.equal(s.val.rPeak[3], ds.rPeak[k]);
  assert.deepEqual(splitByGroup(ds, { valFraction: 0.3, seed: 7 }).valGroups, s.valGroups);
  const seeds = new Set(Array.from({ length: 10 }, (_, i) => splitByGroup(ds, { valFraction: 0.3, seed: i }).valGroups.join()));
  assert.ok(seeds.size > 1, 'different seeds give different splits');
  assert.throws(() => splitByGroup(ds, { valFraction: 1, seed: 1 }), InvalidInputError);
  assert.throws(() => splitByGroup({ ...ds, groups: undefined }, { valFraction: 0.2, seed: 1 }), InvalidInputError);
  assert.throws(() => subsetDataset(ds, [ds.shape[0]]), InvalidInputError);
});

test('classBalance counts and formats a table; bad labels throw', () => {
  const ds = { x: new Float32Array(4), shape: [4, 1, 1], y: Int32Array.from([0, 2, 2, 4]), classNames: [...AAMI_CLASSES], groups: ['a', 'a', 'b', 'b'] };
  const b = classBalance(ds);
  assert.deepEqual(b.total, [1, 0, 2, 0, 1]);
  assert.deepEqual(b.perGroup, [{ group: 'a', counts: [1, 0, 1, 0, 0] }, { group: 'b', counts: [0, 0, 1, 0, 1] }]);
  const table = formatClassBalance(b);
  assert.match(table, /^total\s+1\s+0\s+2\s+0\s+1\s+4$/m);
  assert.match(table, /^%\s+25\.0\s+0\.0\s+50\.0/m);
  assert.throws(() => classBalance({ ...ds, y: Int32Array.from([0, 0, 0, 5]) }), InvalidInputError);
});

test('capEvenlyPerKey keeps at most max per key, evenly spaced, ascending', () => {
  // keys: a at 0,2,4,6,8 (5 items), b at 1,3,5,7 (4 items)
  const key = (i: number) => (i % 2 === 0 ? 'a' : 'b');
  const idx = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // max 2: a picks list[floor(0.5*5/2)=1]=2, list[floor(1.5*5/2)=3]=6; b picks list[1]=3, list[3]=7
  assert.deepEqual(capEvenlyPerKey(idx, key, 2), [2, 3, 6, 7]);
  // max 4: a drops list[2]=4 (picks positions 0,1,3,4), b (4 items) keeps all
  assert.deepEqual(capEvenlyPerKey(idx, key, 4), [0, 1, 2, 3, 5, 6, 7, 8]);
  assert.deepEqual(capEvenlyPerKey(idx, key, 9), idx);
  assert.deepEqual(capEvenlyPerKey(idx, key, 0), []);
});
