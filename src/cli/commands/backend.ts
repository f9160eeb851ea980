/** `medlens backend`: which tensor backend runs, its threads, and why faster ones were skipped. */
import type { Command } from 'commander';
import { initNodeBackend } from '../../backend/node.js';

/** Registers `medlens backend` on the program. */
export function registerBackendCommand(program: Command): void {
  program
    .command('backend')
    .description('print the tensor backend in use, its threads, and why faster ones were not used')
    .option('--backend <name>', 'force a backend: tensorflow, native, wasm or cpu')
    .option('--json', 'print JSON')
    .action(async (opts: { backend?: string; json?: boolean }) => {
      const info = await initNodeBackend(opts.backend);
      if (opts.json) {
        process.stdout.write(JSON.stringify(info, null, 2) + '\n');
        return;
      }
      process.stdout.write(`backend: ${info.name}\nthreads: ${info.threads}\n`);
      for (const s of info.skipped) process.stdout.write(`not used: ${s.name}: ${s.reason}\n`);
    });
}
