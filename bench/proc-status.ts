/**
 * Reads memory figures of the current process from Linux's /proc/self/status (bench:memory's
 * children report their own peak resident set, VmHWM, at the end of a training step).
 */
import fs from 'node:fs';

/** Value of a `Field:   123 kB` line of /proc/<pid>/status text, in MiB; undefined when absent. */
export function procStatusMiB(text: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s*(\\d+)\\s*kB\\s*$`, 'm').exec(text);
  return m ? Number(m[1]) / 1024 : undefined;
}

/** Current (VmRSS) and peak (VmHWM) resident set of this process, MiB (NaN off Linux). */
export function selfRssMiB(): { rss: number; peak: number } {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux: the caller prints NaN
  }
  return { rss: procStatusMiB(text, 'VmRSS') ?? NaN, peak: procStatusMiB(text, 'VmHWM') ?? NaN };
}
