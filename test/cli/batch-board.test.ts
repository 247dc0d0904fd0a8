import { describe, expect, it } from 'vitest';
import { cardLine, createBatchBoard } from '../../electron/cli/commands/batch-board.js';
import type { CardStatus } from '../../electron/core/batch/batch-job.js';
import type { CardRecord } from '../../electron/core/batch/batch-report.js';

const writing = (slot: string, done: number, phase: 'write' | 'verify' = 'write'): CardStatus => ({
  slot,
  target: `/tmp/${slot}.img`,
  state: 'writing',
  progress: { phase, item: 'AstLinux-1.0.0.img', done, total: 100 },
});

const finished = (slot: string, verified: boolean): CardStatus => ({
  slot,
  target: `/tmp/${slot}.img`,
  state: verified ? 'done' : 'failed',
  record: { slot, verified, error: verified ? null : 'the card may be failing' } as CardRecord,
});

const ESC = String.fromCharCode(27);
const ERASE = new RegExp(`(${ESC}\\[\\d+A\r${ESC}\\[J)`);

/** What a terminal shows after the writes: cursor-up-and-clear takes the board away before each redraw. */
function screen(text: string): string[] {
  const lines: string[] = [];
  for (const part of text.split(ERASE)) {
    if (part.startsWith(ESC)) lines.splice(lines.length - Number.parseInt(part.slice(2), 10));
    else lines.push(...part.split('\n').filter((line) => line !== ''));
  }
  return lines;
}

describe('the batch board', () => {
  it('redraws one line per card in place on a terminal, finished cards above it', () => {
    let out = '';
    let clock = 0;
    const board = createBatchBoard({ write: (text) => (out += text), tty: true }, { now: () => clock });
    for (let done = 0; done <= 100; done += 10) {
      clock += 1000;
      board.update(writing('slot 1', done));
      clock += 1000;
      board.update(writing('slot 2', done / 2));
    }
    expect(screen(out)).toEqual([cardLine(writing('slot 1', 100)), cardLine(writing('slot 2', 50))]);
    expect(screen(out)[1]).toMatch(/^slot 2: \[#{10}\.{10}\] {2}50% writing AstLinux-1\.0\.0\.img$/);
    board.update(finished('slot 1', true));
    board.close();
    expect(screen(out)).toEqual(['slot 1: verified', cardLine(writing('slot 2', 50))]);
  });

  it('does not redraw more than ten times a second', () => {
    let writes = 0;
    const board = createBatchBoard({ write: () => writes++, tty: true }, { now: () => 5000 });
    for (let done = 0; done < 100; done++) board.update(writing('slot 1', done));
    expect(writes).toBe(1);
  });

  it('writes plain lines when piped: one per step and one per result, none per percent', () => {
    const lines: string[] = [];
    const board = createBatchBoard(
      { write: (text) => lines.push(text), tty: false },
      { describe: (status) => `${status.slot}: done (${status.record?.verified})` },
    );
    for (let done = 0; done <= 100; done += 5) board.update(writing('slot 1', done));
    for (let done = 0; done <= 100; done += 5) board.update(writing('slot 1', done, 'verify'));
    board.update(finished('slot 1', false));
    board.close();
    expect(lines).toEqual([
      'slot 1: writing AstLinux-1.0.0.img\n',
      'slot 1: reading back AstLinux-1.0.0.img\n',
      'slot 1: done (false)\n',
    ]);
    expect(lines.join('')).not.toContain(ESC);
  });
});
