/** Parsing of numeric and list CLI options into typed values, with one-line errors naming the option; options shared by commands. */
import { Option } from 'commander';
import { InvalidInputError } from '../errors.js';

/** A number in [min, max] (or (min, max) when `exclusive`); anything else is an InvalidInputError naming `name`. */
export function parseNumber(name: string, text: string, min = -Infinity, max = Infinity, exclusive = false): number {
  const v = Number(text);
  const inRange = exclusive ? v > min && v < max : v >= min && v <= max;
  if (text.trim() === '' || !Number.isFinite(v) || !inRange) {
    throw new InvalidInputError(name, `'${text}' must be a number ${exclusive ? 'strictly ' : ''}between ${min} and ${max}`);
  }
  return v;
}

/** An integer in [min, max]. */
export function parseInteger(name: string, text: string, min = -Infinity, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || v < min || v > max) {
    throw new InvalidInputError(name, `'${text}' must be an integer${min > -Infinity ? ` >= ${min}` : ''}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}`);
  }
  return v;
}

/** A comma- or space-separated list, empty items dropped. */
export function parseList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The `--backend <name>` option every tensor command takes (one definition so flag and help text stay identical). */
export function backendOption(): Option {
  return new Option('--backend <name>', 'force a tensor backend: tensorflow, native, wasm or cpu');
}
