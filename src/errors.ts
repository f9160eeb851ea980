/**
 * Typed errors for user mistakes. The CLI catches `MedlensError` and prints one line;
 * anything else is a programming error and keeps its stack.
 */

/** Base class of every error caused by user input (files, arguments, models). */
export class MedlensError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An argument, tensor or option is invalid (wrong shape, NaN/Inf, out of range). */
export class InvalidInputError extends MedlensError {
  /** @param what names the argument or option at fault, e.g. `input` or `--target`. */
  constructor(
    readonly what: string,
    problem: string,
  ) {
    super(`${what}: ${problem}`);
  }
}

/** A file is truncated or malformed. `offset` is the byte offset where reading failed, when known. */
export class CorruptFileError extends MedlensError {
  constructor(
    readonly file: string,
    problem: string,
    readonly offset?: number,
  ) {
    super(`${file}: ${problem}${offset === undefined ? '' : ` (at byte ${offset})`}`);
  }
}

/** A feature of the input is valid but not supported (transfer syntax, layer type, rank). */
export class UnsupportedError extends MedlensError {
  constructor(
    readonly what: string,
    problem: string,
  ) {
    super(`${what}: ${problem}`);
  }
}

/** A file or folder the user named does not exist or cannot be read. */
export class FileAccessError extends MedlensError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
