/**
 * The batch's progress on the terminal: one line per card, each with its own bar, redrawn in place on a
 * TTY. Piped into a file or a log there is no redrawing: a card gets a line when it starts a new step and
 * when it ends, never a line per percent.
 */
import type { CardStatus } from '../../core/batch/batch-job.js';

export interface BoardOutput {
  write(text: string): void;
  /** Redraw in place (a terminal), or plain lines (a pipe, a log file). */
  tty: boolean;
  /** Terminal width, for cutting long lines rather than letting them wrap and break the redraw. */
  columns?: number;
}

export interface BatchBoard {
  /** A card's state changed (batch-job onStatus). */
  update(status: CardStatus): void;
  /** A line of its own above the board (a finished card, a skipped drive). */
  say(line: string): void;
  /** Draws the final state and leaves the board on screen. */
  close(): void;
}

const BAR_WIDTH = 20;
const REDRAW_MS = 100;

const STEP: Record<string, string> = {
  format: 'formatting',
  bootloader: 'installing SYSLINUX',
  loader: 'writing the loader',
  write: 'writing',
  verify: 'reading back',
  keydisk: 'writing the keydisk',
  finish: 'finishing',
};

export function cardLine(status: CardStatus): string {
  const { progress, record } = status;
  if (record) return `${status.slot}: ${record.verified ? 'verified' : `FAILED — ${record.error ?? ''}`}`;
  if (status.state === 'waiting' || !progress) return `${status.slot}: waiting`;
  const step = `${STEP[progress.phase] ?? progress.phase}${progress.item ? ` ${progress.item}` : ''}`;
  const fraction = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const speed = progress.speed ? ` ${(progress.speed / 1e6).toFixed(1)} MB/s` : '';
  return `${status.slot}: ${bar} ${step}${speed}`;
}

export function createBatchBoard(
  output: BoardOutput,
  options: { describe?: (status: CardStatus) => string; now?: () => number } = {},
): BatchBoard {
  const now = options.now ?? Date.now;
  const finished = options.describe ?? cardLine;
  const cards = new Map<string, CardStatus>();
  const steps = new Map<string, string>();
  let drawn = 0;
  let lastDraw = 0;
  const toWidth = (line: string) =>
    output.columns && line.length >= output.columns ? `${line.slice(0, output.columns - 2)}…` : line;

  function erase(): string {
    // Up to the board's first line, clearing each line on the way.
    return drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : '';
  }

  function draw(force: boolean): void {
    if (!output.tty) return;
    if (!force && now() - lastDraw < REDRAW_MS) return;
    lastDraw = now();
    const lines = [...cards.values()].filter((status) => !status.record).map((s) => toWidth(cardLine(s)));
    output.write(`${erase()}${lines.map((line) => `${line}\n`).join('')}`);
    drawn = lines.length;
  }

  return {
    update(status) {
      cards.set(status.slot, status);
      if (status.record) {
        this.say(finished(status));
        return;
      }
      if (output.tty) {
        draw(false);
        return;
      }
      const step = status.progress ? `${status.progress.phase} ${status.progress.item ?? ''}` : status.state;
      if (steps.get(status.slot) === step) return;
      steps.set(status.slot, step);
      const label = status.progress
        ? `${STEP[status.progress.phase] ?? status.progress.phase}${status.progress.item ? ` ${status.progress.item}` : ''}`
        : status.state;
      output.write(`${status.slot}: ${label}\n`);
    },
    say(line) {
      if (output.tty) {
        output.write(`${erase()}${line}\n`);
        drawn = 0;
        draw(true);
      } else output.write(`${line}\n`);
    },
    close() {
      draw(true);
    },
  };
}
