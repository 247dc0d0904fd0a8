import { type ErrorData, errorData } from '../core/errors.js';

/** Exit codes the CLI promises: 0 done, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  readonly code = 'usage';
}

export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** The command's result: one JSON document on stdout with --json, otherwise plain lines. */
  result(document: unknown, human: () => string[]): void;
  /** A sentence on stderr, for the human reading along; silent with --json. */
  say(line: string): void;
  /** Progress for a long step; a bar on a terminal, one JSON line per update with --json. */
  progress(event: ProgressEvent): void;
  fail(error: unknown): number;
  /** The result printed says the operation failed (verify found a bad image): exit 1 without an error line. */
  resultIsFailure(): void;
  readonly failed: boolean;
}

export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
  /** Bytes per second, averaged by the reporter. */
  speed?: number;
  etaSeconds?: number;
}

export function createOutput(options: { json: boolean; verbose: boolean }): Output {
  const { json, verbose } = options;
  const stderrIsTerminal = process.stderr.isTTY === true;
  let lastBarLength = 0;
  let failed = false;

  const clearBar = () => {
    if (lastBarLength > 0) {
      process.stderr.write(`\r${' '.repeat(lastBarLength)}\r`);
      lastBarLength = 0;
    }
  };

  return {
    json,
    verbose,
    get failed() {
      return failed;
    },
    resultIsFailure() {
      failed = true;
    },
    result(document, human) {
      clearBar();
      if (json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      else for (const line of human()) process.stdout.write(`${line}\n`);
    },
    say(line) {
      if (json) return;
      clearBar();
      process.stderr.write(`${line}\n`);
    },
    progress(event) {
      if (json) {
        process.stderr.write(`${JSON.stringify({ progress: event })}\n`);
        return;
      }
      if (!stderrIsTerminal) return;
      const bar = formatBar(event);
      process.stderr.write(`\r${bar}${' '.repeat(Math.max(0, lastBarLength - bar.length))}`);
      lastBarLength = bar.length;
    },
    fail(error) {
      clearBar();
      const data: ErrorData = errorData(error);
      const exit = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
      if (json) {
        process.stdout.write(`${JSON.stringify({ error: data }, null, 2)}\n`);
      } else {
        const sentence =
          data.code === 'internal'
            ? `astcard stopped on an unexpected error (${data.message}). The operation did not finish; run it again with --verbose and report what it prints.`
            : data.message;
        process.stderr.write(`astcard: ${sentence}\n`);
        if (verbose) {
          if (data.detail) process.stderr.write(`  detail: ${data.detail}\n`);
          process.stderr.write(`  code: ${data.code}\n`);
          if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
        }
      }
      return exit;
    },
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatBar(event: ProgressEvent): string {
  const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 0;
  const width = 24;
  const filled = Math.round(fraction * width);
  const parts = [
    `${event.phase.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`,
  ];
  if (event.speed !== undefined) parts.push(`${formatBytes(event.speed)}/s`);
  if (event.etaSeconds !== undefined) parts.push(`ETA ${Math.ceil(event.etaSeconds)} s`);
  return parts.join('  ');
}
