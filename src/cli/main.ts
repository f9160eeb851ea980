/**
 * The `medlens` command line. Each command lives in its own file under cli/commands and registers
 * itself on the program; user mistakes (MedlensError) print as one line, exit code 2.
 */
import { Command } from 'commander';
import { MedlensError } from '../errors.js';
import { registerBackendCommand } from './commands/backend.js';
import { registerTrainCommand } from './commands/train.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerPredictCommand } from './commands/predict.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerStudyCommand } from './commands/study.js';

/** Builds the commander program with every medlens command registered. */
export function buildProgram(): Command {
  const program = new Command('medlens')
    .description('Trustworthy medical AI: train, explain and evaluate ECG, chest X-ray and CT models')
    .version('0.1.0')
    .showHelpAfterError();
  registerBackendCommand(program);
  registerTrainCommand(program);
  registerPredictCommand(program);
  registerExplainCommand(program);
  registerDemoCommand(program);
  registerStudyCommand(program);
  return program;
}

/** Runs the CLI on `argv`, turning user errors into one-line messages. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof MedlensError) {
      process.stderr.write(`medlens: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

const isMain = process.argv[1] && /(main\.(ts|js)|medlens(\.js)?)$/.test(process.argv[1]);
if (isMain) {
  runCli(process.argv).then((code) => {
    process.exitCode = code;
  });
}
