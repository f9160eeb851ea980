/**
 * Progress on the terminal for the CLI: a cli-progress bar on stderr when it is a TTY, plain
 * lines otherwise (one per epoch, and at most one per 10% of other tasks) so logs stay readable.
 */
import cliProgress from 'cli-progress';
import type { ProgressCallback, ProgressEvent } from '../progress.js';

/** A progress sink: `onProgress` to pass to APIs, `stop()` when the work is done. */
export interface ProgressReporter {
  onProgress: ProgressCallback;
  stop(): void;
}

function fmtInfo(info: ProgressEvent['info']): string {
  if (!info) return '';
  return Object.entries(info)
    .filter(([k]) => k !== 'epochs' && k !== 'epoch')
    .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : v}`)
    .join('  ');
}

/** Creates a reporter writing to `stream` (default stderr); `tty` overrides TTY detection. */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr, tty = Boolean(stream.isTTY)): ProgressReporter {
  if (tty) {
    let bar: cliProgress.SingleBar | undefined;
    let task = '';
    const stop = () => {
      bar?.stop();
      bar = undefined;
    };
    return {
      onProgress: (e) => {
        if (e.task === 'train:epoch') {
          stream.write(`\r\x1b[2Kepoch ${e.done}/${e.total}  ${fmtInfo(e.info)}\n`);
          return;
        }
        if (!bar || task !== e.task) {
          stop();
          task = e.task;
          bar = new cliProgress.SingleBar(
            { stream, format: `${e.task} |{bar}| {percentage}% {value}/{total} {details}`, hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.total, 0, { details: '' });
        }
        bar.setTotal(e.total);
        bar.update(e.done, { details: fmtInfo(e.info) });
        if (e.done >= e.total && task !== 'train') stop();
      },
      stop,
    };
  }
  const lastDecile = new Map<string, number>();
  return {
    onProgress: (e) => {
      if (e.task === 'train:epoch') {
        stream.write(`epoch ${e.done}/${e.total}  ${fmtInfo(e.info)}\n`);
        return;
      }
      if (e.task === 'train') return; // per-batch lines would flood a log; epochs are reported above
      const decile = Math.floor((10 * e.done) / Math.max(1, e.total));
      if (decile !== lastDecile.get(e.task)) {
        lastDecile.set(e.task, decile);
        stream.write(`${e.task}: ${e.done}/${e.total}${e.info ? '  ' + fmtInfo(e.info) : ''}\n`);
      }
    },
    stop: () => undefined,
  };
}
