/** DICOM 12-lead ECG Waveform Storage: leads, rate, samples, amplitudes in mV, annotations; scaling on a built file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sharedData } from '../helpers.js';
import { readDicomEcgFile } from '../../src/node/dicom.js';
import { readDicomEcg, shortLeadName } from '../../src/dicom/waveform.js';
import { UnsupportedError } from '../../src/errors.js';
import { buildDicom, EXPLICIT_BE, EXPLICIT_LE, words, type Element } from './build-dicom.js';

const ecg = sharedData('ecg/dicom-waveform/waveform_ecg.dcm');

test('waveform_ecg.dcm: 12 leads, 1000 Hz, 10 s, raw samples x 1.25 uV, Einthoven identities hold', { skip: ecg.skip }, () => {
  const e = readDicomEcgFile(ecg.path);
  assert.deepEqual(e.leads, ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
  assert.equal(e.fs, 1000);
  assert.equal(e.signals.length, 12);
  for (const s of e.signals) assert.equal(s.length, 10000);
  assert.deepEqual(e.groups.map((g) => [g.label, g.samples, g.fs]), [['RHYTHM', 10000, 1000], ['MEDIAN BEAT', 1200, 1000]]);
  assert.ok(e.groups.every((g) => g.units.every((u) => u === 'mV')));
  // Independent check: the rhythm WaveformData is the 240000-byte OW run of int16 (sample-major, 12 channels).
  const b = fs.readFileSync(ecg.path);
  let at = -1;
  for (let i = b.indexOf(Buffer.from([0x00, 0x54, 0x10, 0x10, 0x4f, 0x57])); i >= 0; i = b.indexOf(Buffer.from([0x00, 0x54, 0x10, 0x10, 0x4f, 0x57]), i + 1)) {
    if (b.readUInt32LE(i + 8) === 240000) at = i + 12;
  }
  assert.ok(at > 0, 'rhythm WaveformData found in the raw bytes');
  for (const s of [0, 1, 4321, 9999]) for (let c = 0; c < 12; c++) assert.ok(Math.abs(e.signals[c][s] - (b.readInt16LE(at + 2 * (s * 12 + c)) * 1.25) / 1000) < 1e-6, `lead ${c} sample ${s}`);
  // Physiology: II = I + III and aVR = -(I + II) / 2 (to the rounding of the stored values).
  const [I, II, III, aVR] = e.signals;
  let err1 = 0;
  let err2 = 0;
  for (let s = 0; s < 10000; s++) {
    err1 = Math.max(err1, Math.abs(II[s] - (I[s] + III[s])));
    err2 = Math.max(err2, Math.abs(aVR[s] + (I[s] + II[s]) / 2));
  }
  assert.ok(err1 < 0.01 && err2 < 0.01, `Einthoven/Goldberger residuals ${err1} ${err2} mV`);
  // Plausible amplitudes: every lead within +-5 mV, QRS peaks in the 0.3-3 mV range.
  for (const [i, s] of e.signals.entries()) {
    const max = Math.max(...s.map(Math.abs));
    assert.ok(max > 0.3 && max < 5, `${e.leads[i]} peak ${max} mV`);
  }
});

test('waveform_ecg.dcm annotations: interpretation, intervals, fiducial points', { skip: ecg.skip }, () => {
  const e = readDicomEcgFile(ecg.path, { stripIdentifiers: true });
  assert.equal(e.ids, undefined);
  assert.deepEqual(e.interpretation, ['RITMO SINUSALE', 'ECG NORMALE']);
  assert.equal(e.annotations.length, 77);
  const measure = (name: string) => e.annotations.find((a) => a.concept === name);
  assert.deepEqual([measure('RR Interval')?.value, measure('RR Interval')?.units], [982, 'ms']);
  assert.equal(measure('PR Interval')?.value, 161);
  assert.equal(measure('QRS Duration')?.value, 75);
  assert.equal(measure('QT Interval')?.value, 368);
  const qrsOnsets = e.annotations.filter((a) => a.concept === 'QRS Onset' && (a.group ?? 0) >= 100).map((a) => a.samplePositions?.[0]);
  assert.deepEqual(qrsOnsets, [486, 1485, 2466, 3448, 4444, 5427, 6401, 7403, 8376, 9329]);
  // The annotated beats agree with the RR interval: mean onset spacing ~ 982 ms at 1000 Hz.
  const rr = ((qrsOnsets.at(-1) as number) - (qrsOnsets[0] as number)) / (qrsOnsets.length - 1);
  assert.ok(Math.abs(rr - 982) < 20, `mean RR ${rr}`);
});

function waveformFile(syntax: string, raw: number[], channel: Partial<Record<'sens' | 'corr' | 'base', string>>, unit = 'uV', bits = 16, interp = 'SS'): Uint8Array {
  const code = (value: string, meaning: string): Element[] => [{ tag: 0x00080100, vr: 'SH', value }, { tag: 0x00080102, vr: 'SH', value: 'X' }, { tag: 0x00080104, vr: 'LO', value: meaning }];
  const chan = (name: string): Element[] => [
    { tag: 0x003a0208, vr: 'SQ', value: '', items: [code('c', name)] },
    { tag: 0x003a0210, vr: 'DS', value: channel.sens ?? '1' },
    { tag: 0x003a0211, vr: 'SQ', value: '', items: [code(unit, unit)] },
    { tag: 0x003a0212, vr: 'DS', value: channel.corr ?? '1' },
    { tag: 0x003a0213, vr: 'DS', value: channel.base ?? '0' },
  ];
  return buildDicom(syntax, [{ tag: 0x54000100, vr: 'SQ', value: '', items: [[
    { tag: 0x003a0005, vr: 'US', value: [2] },
    { tag: 0x003a0010, vr: 'UL', value: [raw.length / 2] },
    { tag: 0x003a001a, vr: 'DS', value: '500' },
    { tag: 0x003a0200, vr: 'SQ', value: '', items: [chan('Lead II'), chan('Lead aVF')] },
    { tag: 0x54001004, vr: 'US', value: [bits] },
    { tag: 0x54001006, vr: 'CS', value: interp },
    { tag: 0x54001010, vr: 'OW', value: words(raw, syntax !== EXPLICIT_BE) },
  ]] }], '1.2.840.10008.5.1.4.1.1.9.1.1');
}

test('channel scaling raw * sensitivity * correction + baseline * correction, unit conversion, both endians', () => {
  const raw = [100, -200, 300, -400, -32768, 32767]; // 3 samples x 2 channels, sample-major
  for (const syntax of [EXPLICIT_LE, EXPLICIT_BE]) {
    const e = readDicomEcg(waveformFile(syntax, raw, { sens: '2.5', corr: '0.8', base: '10' }), 'w.dcm');
    assert.deepEqual(e.leads, ['II', 'aVF']);
    assert.equal(e.fs, 500);
    const mv = (r: number) => (r * 2.5 * 0.8 + 10 * 0.8) / 1000;
    assert.deepEqual([...e.signals[0]], [100, 300, -32768].map(mv).map(Math.fround));
    assert.deepEqual([...e.signals[1]], [-200, -400, 32767].map(mv).map(Math.fround));
  }
  const inMv = readDicomEcg(waveformFile(EXPLICIT_LE, raw, { sens: '0.5' }, 'mV'), 'w.dcm');
  assert.deepEqual([...inMv.signals[0]], [50, 150, -16384]);
  const odd = readDicomEcg(waveformFile(EXPLICIT_LE, raw, {}, 'mm[Hg]'), 'w.dcm');
  assert.deepEqual(odd.groups[0].units, ['mm[Hg]', 'mm[Hg]']);
  assert.throws(() => readDicomEcg(waveformFile(EXPLICIT_LE, raw, {}, 'uV', 16, 'MB'), 'mulaw.dcm'), (e) => e instanceof UnsupportedError && /mulaw\.dcm: waveform group 1: 16-bit MB/.test(e.message));
  assert.equal(shortLeadName('Lead I (Einthoven)'), 'I');
  assert.equal(shortLeadName('Lead aVR'), 'aVR');
  assert.equal(shortLeadName('Pleth'), 'Pleth');
});
