/** What every command shares: the Command shape, usage errors, sizes, progress and opening targets. */
import type { Progress } from '../../core/card/progress.js';
import { openTarget, targetKind } from '../../core/card/target.js';
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

/** A card's target, opened for writing: a drive needs --yes like prepare. */
export async function openForChange(target: string, yes: boolean | undefined) {
  if ((await targetKind(target)) === 'block-device' && !yes) {
    throw new UsageError(`${target} is a drive; add --yes to change it.`);
  }
  return openTarget(target);
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
