/**
 * `serve`: one mujs process answers every boot-plan question of a boot, so the bundle is compiled once.
 * Under emulation compiling it is nearly all of a run (natively 12 of 18 ms; the work itself under 1 ms),
 * and a boot asks two to four questions. Protocol in README.md ("serve").
 *
 * Debian's mujs writes through stdio and never flushes, so an answer on a pipe would sit in the buffer
 * until the process exits. Each answer is therefore followed by a pad line longer than any stdio buffer:
 * writing it makes stdio hand over everything before it. The pad's tail reaches the reader with the next
 * answer, as one line of `#` that the reader drops.
 */

/** A request: one `=<argument>` line per argument (an empty one too), then this line. */
export const REQUEST_END = 'go';
/** The last line of every answer, followed by the command's exit code. */
export const ANSWER_DONE = 'astcard-plan-done';
/** Larger than glibc's buffer for a pipe (4 KiB) and than BUFSIZ, with room to spare. */
export const PAD_LENGTH = 16385;

export interface ServeHost {
  /** The next line of stdin without its newline; null at the end of input. */
  readline(): string | null;
  print(line: string): void;
}

/** The next request's arguments; null when the input ends (the init closed it, or is gone). */
export function readRequest(host: ServeHost): string[] | null {
  const args: string[] = [];
  for (;;) {
    const line = host.readline();
    if (line === null) return null;
    if (line === REQUEST_END) return args;
    // Anything else is not ours to guess at: dropped (a request left short of an argument is a usage error).
    if (line.charAt(0) === '=') args.push(line.slice(1));
  }
}

let pad = '';

function padLine(): string {
  if (pad === '') pad = new Array(PAD_LENGTH + 1).join('#');
  return pad;
}

/** Answers requests until the input ends; `run` prints a command's lines and returns its exit code. */
export function serve(host: ServeHost, run: (args: string[]) => number): void {
  for (;;) {
    const args = readRequest(host);
    if (args === null) return;
    const code = run(args);
    host.print(`${ANSWER_DONE} ${code}`);
    host.print(padLine());
  }
}
