/** What every command shares: the Command shape, usage errors, sizes, progress and running a job on a card. */
import type { Progress } from '../../core/card/progress.js';
import type { KeydiskSource, StagedSources } from '../../core/card/stage-images.js';
import { TargetError, targetKind } from '../../core/card/target.js';
import type { JobResult } from '../../core/writer/jobs.js';
import type { SingleJob } from '../../core/writer/prepare-job.js';
import type { RunJobOptions } from '../../core/writer/run-job.js';
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
 * Runs one job on a card through the writer: in this process for an image file, through the privileged
 * helper for a drive, which re-reads the drive, applies the drive rules (system: the name typed exactly;
 * over 128 GB: --yes) and refuses anything else. A drive needs --yes (or --confirm-name) to be changed at
 * all. The identity is read here, when the user named the card, so a card swapped in between is noticed.
 */
export async function runOnCard<J extends SingleJob>(
  target: string,
  job: J,
  answers: DriveAnswers,
  out: Output,
  what: string,
  options: Pick<RunJobOptions, 'create'> = {},
): Promise<JobResult<J>> {
  const kind = await targetKind(target);
  const typedName = answers['confirm-name'];
  if (kind === 'block-device' && !answers.yes && typedName === undefined) {
    throw new UsageError(
      `${target} is a drive; add --yes to ${what} (a system drive needs --confirm-name with its name typed exactly).`,
    );
  }
  if (kind === 'missing' && !options.create) {
    throw new TargetError(
      'target-missing',
      `${target} does not exist. To make a new card image, give its size with --size.`,
    );
  }
  // The writer and the source readers load only in commands that write: every command imports this module.
  const { runJob } = await import('../../core/writer/run-job.js');
  const { result } = await runJob(
    { device: target, typedName: typedName ?? null, confirmed: answers.yes === true },
    job,
    { onProgress: progressTo(out), signal: cancelOnInterrupt(), ...options },
  );
  return result;
}

/** Downloads and archives staged as checked local files (with progress), then the job, then the clean-up. */
export async function withStagedSources<T>(
  images: string[],
  keydisk: KeydiskSource,
  out: Output,
  work: (staged: StagedSources) => Promise<T>,
): Promise<T> {
  const { stageSources } = await import('../../core/card/stage-images.js');
  const staged = await stageSources(images, keydisk, {
    signal: cancelOnInterrupt(),
    onProgress: progressTo(out),
  });
  try {
    return await work(staged);
  } finally {
    await staged.cleanup();
  }
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
