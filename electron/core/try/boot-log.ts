/**
 * What a test boot's serial console says, read as it arrives: the loader's own lines (`[ uptime] astcard:
 * …`), what it decided (the image it starts with kexec, or its FAILED summary), and how far the started
 * system got after that — its kernel, its first program, a login prompt, or a power-off.
 */

export interface LoaderLine {
  /** Seconds since the loader's kernel started. */
  at: number;
  text: string;
}

export type BootStage = 'firmware' | 'loader' | 'decided' | 'kernel' | 'userspace' | 'login' | 'powered-off';

export interface BootProgress {
  stage: BootStage;
  loaderLines: LoaderLine[];
  /** The image the loader started (`kexec -e NAME`), once it did. */
  started: string | null;
  /** The loader's one-line failure summary, when nothing could boot. */
  failed: string | null;
}

const LOADER_LINE = /^\[\s*(\d+(?:\.\d+)?)\] astcard: (.*)$/;
const STARTED = /^kexec -e (\S+)/;
const FAILED = /^FAILED: (.*)$/;

/** Stages reached after the kexec, with what shows them on a Linux console. */
const AFTER_KEXEC: Array<{ stage: BootStage; pattern: RegExp }> = [
  { stage: 'kernel', pattern: /Linux version \d/ },
  { stage: 'userspace', pattern: /Run \/\S+ as init process|Freeing unused kernel (image|memory)/ },
  { stage: 'login', pattern: /login:\s*$/ },
  { stage: 'powered-off', pattern: /reboot: Power down|System halted/ },
];

const ORDER: BootStage[] = ['firmware', 'loader', 'decided', 'kernel', 'userspace', 'login', 'powered-off'];

export class BootLog {
  private pending = '';
  private readonly state: BootProgress = { stage: 'firmware', loaderLines: [], started: null, failed: null };
  /** The console after the loader's kexec -e: only there do kernel lines belong to the started system. */
  private afterKexec = false;

  get progress(): BootProgress {
    return { ...this.state, loaderLines: this.state.loaderLines.slice() };
  }

  /** Feeds console text; returns the complete lines it finished (for a live view). */
  feed(text: string): string[] {
    this.pending += text;
    const lines = this.pending.split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
    // A prompt has no newline after it.
    if (this.afterKexec && /login:\s*$/.test(this.pending)) this.reach('login');
    return lines;
  }

  private line(raw: string): void {
    const line = raw.trim();
    const loader = LOADER_LINE.exec(line);
    if (loader && !this.afterKexec) {
      const text = loader[2] ?? '';
      this.state.loaderLines.push({ at: Number(loader[1]), text });
      this.reach('loader');
      const started = STARTED.exec(text);
      if (started) {
        this.state.started = started[1] ?? null;
        this.afterKexec = true;
        this.reach('decided');
      }
      const failed = FAILED.exec(text);
      if (failed) {
        this.state.failed = failed[1] ?? '';
        this.reach('decided');
      }
      return;
    }
    if (!this.afterKexec) return;
    for (const { stage, pattern } of AFTER_KEXEC) if (pattern.test(line)) this.reach(stage);
  }

  private reach(stage: BootStage): void {
    if (ORDER.indexOf(stage) > ORDER.indexOf(this.state.stage)) this.state.stage = stage;
  }
}
