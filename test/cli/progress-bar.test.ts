import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressReporter } from '../../src/cli/progress-bar.js';

function fakeStream(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let buf = '';
  const stream = { isTTY: tty, columns: 100, write: (s: string) => ((buf += s), true), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
  return { stream, text: () => buf };
}

test('plain-line mode: one line per epoch, no per-batch lines, other tasks by tenths', () => {
  const { stream, text } = fakeStream(false);
  const r = createProgressReporter(stream);
  for (let b = 1; b <= 20; b++) r.onProgress({ task: 'train', done: b, total: 20, info: { loss: 0.5 } });
  r.onProgress({ task: 'train:epoch', done: 1, total: 2, info: { epoch: 1, epochs: 2, loss: 0.25, valMacroF1: 0.5 } });
  for (let i = 1; i <= 100; i++) r.onProgress({ task: 'load', done: i, total: 100 });
  r.stop();
  const lines = text().trim().split('\n');
  assert.equal(lines[0], 'epoch 1/2  loss 0.2500  valMacroF1 0.5000');
  assert.equal(lines.filter((l) => l.startsWith('load:')).length, 11); // first event, then each tenth
  assert.ok(!text().includes('train |'));
});

test('TTY mode draws a bar for batch progress and prints epoch lines', () => {
  const { stream, text } = fakeStream(true);
  const r = createProgressReporter(stream);
  for (let b = 1; b <= 4; b++) r.onProgress({ task: 'train', done: b, total: 8, info: { epoch: 1, loss: 1 } });
  r.onProgress({ task: 'train:epoch', done: 1, total: 2, info: { loss: 1 } });
  r.stop();
  assert.match(text(), /train \|/);
  assert.match(text(), /epoch 1\/2  loss 1/);
});
