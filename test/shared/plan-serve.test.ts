// `serve`: one mujs process answers the init's boot-plan questions. The protocol in Node, then the real
// bundle under Debian's mujs over pipes, as the init drives it: an answer must arrive while the input is
// still open (mujs never flushes stdout; the pad is what hands the answer over), and say exactly what a
// mujs run of its own says.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSWER_DONE, PAD_LENGTH, REQUEST_END, readRequest, serve } from '../../loader/plan/serve.js';
import { planBundleForFile, runUnderMujs } from './plan-cli-runs.js';

const plan = planBundleForFile('astcard-plan-serve-');

const request = (...args: string[]): string => `${args.map((arg) => `=${arg}\n`).join('')}${REQUEST_END}\n`;

/** Runs `serve` over the given input lines; returns what it printed and the argument lists it ran. */
function serveLines(input: string[], codes: number[] = []): { printed: string[]; ran: string[][] } {
  const printed: string[] = [];
  const ran: string[][] = [];
  let next = 0;
  serve(
    {
      readline: () => (next < input.length ? (input[next++] ?? null) : null),
      print: (line) => printed.push(line),
    },
    (args) => {
      ran.push(args);
      printed.push(`ran ${args.length}`);
      return codes[ran.length - 1] ?? 0;
    },
  );
  return { printed, ran };
}

describe('serve, in Node', () => {
  it('each request runs once; its answer ends with the exit code, then one pad line longer than a stdio buffer', () => {
    const { printed, ran } = serveLines(
      request('plan', 'a b', '').trimEnd().split('\n').concat('=options', 'go'),
      [1, 0],
    );
    expect(ran).toEqual([['plan', 'a b', ''], ['options']]);
    const pad = '#'.repeat(PAD_LENGTH);
    expect(PAD_LENGTH).toBeGreaterThan(8192);
    expect(printed).toEqual(['ran 3', `${ANSWER_DONE} 1`, pad, 'ran 1', `${ANSWER_DONE} 0`, pad]);
  });

  it('input that ends inside a request runs nothing; lines not in the protocol are dropped, not guessed at', () => {
    expect(serveLines(['=plan', '=card']).ran).toEqual([]);
    let next = 0;
    const lines = ['junk', '=verdict', '', 'go'];
    expect(readRequest({ readline: () => lines[next++] ?? null, print: () => {} })).toEqual(['verdict']);
  });
});

/** The mujs server's stdout, line by line, as it arrives. */
class Answers {
  private buffered = '';
  private waiting: (() => void) | null = null;
  constructor(child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      this.waiting?.();
    });
  }

  /** The next answer's lines (pad lines dropped, as the init drops them) and its exit code. */
  async next(): Promise<{ code: number; lines: string[] }> {
    for (;;) {
      const lines = this.buffered.split('\n');
      const end = lines.findIndex((line) => line.startsWith(`${ANSWER_DONE} `));
      if (end >= 0) {
        this.buffered = lines.slice(end + 1).join('\n');
        const answer = lines.slice(0, end).filter((line) => !/^#+$/.test(line) && line !== '');
        return { code: Number(lines[end]?.split(' ')[1]), lines: answer };
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }
}

describe('serve, the bundle under mujs', () => {
  it('answers each question while its input stays open, exactly as a mujs run of its own does', async () => {
    const card = join(plan.work, 'card');
    mkdirSync(card, { recursive: true });
    for (const version of ['1.2.2', '1.2.3']) {
      const name = `AstLinux-${version}.img`;
      writeFileSync(join(card, name), `image ${version}\n`);
      const hex = execFileSync('sha1sum', [join(card, name)], { encoding: 'utf8' }).split(' ')[0] ?? '';
      writeFileSync(join(card, `${name}.sha1`), `${hex}  ${name}\n`);
    }
    const listing = join(plan.work, 'listing');
    writeFileSync(
      listing,
      execFileSync('sh', ['-c', "stat -c '%s %n' -- *"], { cwd: card, encoding: 'utf8' }),
    );
    const cmdline = join(plan.work, 'cmdline');
    writeFileSync(cmdline, 'console=ttyS0 astlinux.wait=3 astlinux.bogus=1\n');
    const newest = 'AstLinux-1.2.3.img';
    const digest = `sha1:${execFileSync('sha1sum', [join(card, newest)], { encoding: 'utf8' }).split(' ')[0]}`;
    const questions = [
      ['plan', card, listing, cmdline, '-'],
      ['accept', card, listing, cmdline, newest, digest, 'ABCD-1234', 'card:/kd.img', '-'],
      ['accept', card, listing, cmdline, newest, `sha1:${'0'.repeat(40)}`, '-', '-', '-'],
      ['options', cmdline],
      ['no-such-command'],
    ];

    const child = spawn('mujs', [plan.bundle, 'serve']);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const answers = new Answers(child);
    for (const question of questions) {
      child.stdin.write(request(...question));
      const answer = await answers.next();
      const alone = runUnderMujs(plan.bundle, question);
      expect(answer, question.join(' ')).toEqual({ code: alone.code, lines: alone.lines });
    }
    child.stdin.end();
    expect(await exited).toBe(0);
  }, 30_000);
});
