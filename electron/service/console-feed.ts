/**
 * A test boot's serial console on its way to the window, bounded: lines are gathered and sent as one
 * `tryConsole` slice at most every `intervalMs`, each slice holding at most TRY_CONSOLE_MAX_LINES lines of
 * at most TRY_CONSOLE_MAX_CHARS characters. A console that prints faster than that (a kernel stuck in a
 * loop) loses its oldest unsent plain lines, counted in `dropped`; the loader's own lines, which say what
 * it decided, are kept before any other. The log file on disk has everything.
 */
import {
  TRY_CONSOLE_MAX_CHARS,
  TRY_CONSOLE_MAX_LINES,
  type TryConsole,
  type TryConsoleLine,
  type TryStage,
} from '../../shared/api.js';

const LOADER_LINE = /^\[\s*\d+(?:\.\d+)?\] astcard: /;
/** Terminal escapes and other control characters: the window shows text, not a terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b.|[\x00-\x08\x0b-\x1f\x7f]/g;

const AFTER_DECISION: TryStage[] = ['decided', 'kernel', 'userspace', 'login', 'powered-off'];

export class ConsoleFeed {
  private pending: TryConsoleLine[] = [];
  private dropped = 0;
  private stage: TryStage = 'firmware';
  private stageSent: TryStage | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly ids: { jobId: string; cardId: string },
    private readonly send: (slice: TryConsole) => void,
    private readonly intervalMs = 100,
  ) {}

  /** One complete console line, as the boot log finished it. */
  line(raw: string): void {
    if (this.closed) return;
    const text = clip(raw.replace(CONTROL, '').trimEnd());
    // After the loader's decision, a line that looks like one of its own comes from the started system.
    const loader = !AFTER_DECISION.includes(this.stage) && LOADER_LINE.test(text.trim());
    if (this.pending.length >= TRY_CONSOLE_MAX_LINES) {
      // Full: the oldest plain line makes room (the newest lines matter most on a live console). A slice
      // full of the loader's own lines keeps them, and this line is the one left out.
      this.dropped += 1;
      const oldestPlain = this.pending.findIndex((line) => !line.loader);
      if (oldestPlain < 0) {
        this.schedule();
        return;
      }
      this.pending.splice(oldestPlain, 1);
    }
    this.pending.push({ text, loader });
    this.schedule();
  }

  /** The boot reached a new stage: the window hears of it with the next slice. */
  reached(stage: TryStage): void {
    this.stage = stage;
    this.schedule();
  }

  /** Sends what is left at once; nothing is sent afterwards. */
  close(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.intervalMs);
  }

  private flush(): void {
    if (this.pending.length === 0 && this.dropped === 0 && this.stageSent === this.stage) return;
    const slice: TryConsole = { ...this.ids, lines: this.pending, dropped: this.dropped, stage: this.stage };
    this.pending = [];
    this.dropped = 0;
    this.stageSent = this.stage;
    this.send(slice);
  }
}

function clip(text: string): string {
  return text.length <= TRY_CONSOLE_MAX_CHARS ? text : `${text.slice(0, TRY_CONSOLE_MAX_CHARS - 1)}…`;
}
