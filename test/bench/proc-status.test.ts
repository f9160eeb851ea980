import { test } from 'node:test';
import assert from 'node:assert/strict';
import { procStatusMiB, selfRssMiB } from '../../bench/proc-status.js';

const STATUS = 'Name:\tnode\nVmPeak:\t 2048000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  102400 kB\nThreads:\t7\n';

test('procStatusMiB converts the named kB line to MiB and misses absent fields', () => {
  assert.equal(procStatusMiB(STATUS, 'VmHWM'), 512);
  assert.equal(procStatusMiB(STATUS, 'VmRSS'), 100);
  assert.equal(procStatusMiB(STATUS, 'VmPeak'), 2000);
  assert.equal(procStatusMiB(STATUS, 'VmSwap'), undefined);
  // a field name must match a whole line start, not a suffix of another name
  assert.equal(procStatusMiB(STATUS, 'HWM'), undefined);
});

test('selfRssMiB: peak is at least current RSS and grows after touching 64 MiB', { skip: process.platform !== 'linux' }, () => {
  const before = selfRssMiB();
  assert.ok(before.rss > 0 && before.peak >= before.rss);
  const big = new Float64Array(8 * 1024 * 1024).fill(1); // 64 MiB, touched
  const after = selfRssMiB();
  assert.ok(after.peak >= before.rss + 60, `peak ${after.peak} vs rss before ${before.rss}`);
  assert.equal(big[big.length - 1], 1);
});
