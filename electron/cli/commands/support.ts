/** What every command shares: the Command shape, usage errors, sizes, progress and opening targets. */
import type { Progress } from '../../core/card/progress.js';
import { openTarget, targetKind } from '../../core/card/target.js';
import { readIdentity } from '../../core/drives/identity.js';
import type { WriterJob } from '../../core/writer/jobs.js';
import { runWriterJob } from '../../core/writer/writer-client.js';
import type { Output } from '../output.js';
import { UsageError } from '../output.js';

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(args: string[], out: Output): Promise<void>;
}

/** parseArgs, with its complaints turned into usage errors (exit code 2). */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a size; write it like 512M or 2G.`);
  const bytes = Math.floor(Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toLowerCase()] ?? 1));
  return bytes - (bytes % 512);
}

export function progressTo(out: Output) {
  return (event: Progress) =>
    out.progress({
      phase: event.item ? `${event.phase} ${event.item}` : event.phase,
      done: event.done,
      total: event.total,
      ...(event.speed === undefined ? {} : { speed: event.speed }),
      ...(event.etaSeconds === undefined ? {} : { etaSeconds: event.etaSeconds }),
    });
}

/** A card's target, opened for writing in this process: an image file (drives go through the writer). */
export async function openForChange(target: string, yes: boolean | undefined) {
  if ((await targetKind(target)) === 'block-device' && !yes) {
    throw new UsageError(`${target} is a drive; add --yes to change it.`);
  }
  return openTarget(target);
}

/** The options every command that may write a drive takes: --yes, and --confirm-name for a system drive. */
export const DRIVE_OPTIONS = {
  yes: { type: 'boolean' },
  'confirm-name': { type: 'string' },
} as const;

export interface DriveAnswers {
  yes?: boolean | undefined;
  'confirm-name'?: string | undefined;
}

/**
 * Runs one job on a drive through the privileged writer, which re-reads the drive, applies the drive
 * rules (system: the name typed exactly; over 128 GB: --yes) and refuses anything else. The identity is
 * read here, when the user named the drive, so a card swapped in between is noticed.
 */
export async function runOnDrive(
  target: string,
  job: WriterJob,
  answers: DriveAnswers,
  out: Output,
  what = 'change it',
): Promise<unknown> {
  const typedName = answers['confirm-name'];
  if (!answers.yes && typedName === undefined) {
    throw new UsageError(
      `${target} is a drive; add --yes to ${what} (a system drive needs --confirm-name with its name typed exactly).`,
    );
  }
  const identity = await readIdentity(target);
  const { result } = await runWriterJob({
    target: { device: target, identity, typedName: typedName ?? null, confirmed: answers.yes === true },
    job,
    onProgress: progressTo(out),
    signal: cancelOnInterrupt(),
  });
  return result;
}

export async function isDrive(target: string): Promise<boolean> {
  return (await targetKind(target)) === 'block-device';
}

let interrupt: AbortController | null = null;

/**
 * A signal that fires on Ctrl-C (SIGINT) or SIGTERM: the operation stops at its next safe point and
 * leaves the card consistent. A second Ctrl-C exits at once.
 */
export function cancelOnInterrupt(): AbortSignal {
  if (interrupt) return interrupt.signal;
  const controller = new AbortController();
  interrupt = controller;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      '\nastcard: stopping at the next safe point (press Ctrl-C again to quit at once)…\n',
    );
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
