/**
 * `<release>.run.conf` and `os/default.conf`: shell files that RUNNIX sources (`. file`) to learn how to
 * start a release — `KCMD` (the kernel command line), `KERN` (the kernel inside the mounted image),
 * `INITRD`, `FSTYPE`, `OFFSET`, `INITRAMFS` — and its own settings (`VERIFY_LOCAL`, `RUNIMG`…).
 *
 * astcard never runs them. This reads the part of the shell language such files use: variable
 * assignments (`NAME=value`, `export NAME=value`, several on a line, `;` between them), comments,
 * single and double quotes, backslash escapes and line continuations, and `$NAME` / `${NAME}` taken
 * from earlier assignments or from `environment` (what RUNNIX has set when it sources the file). Anything
 * else — a command, `$(…)`, backquotes, `${NAME:-…}`, redirections — is not run and not guessed at: that
 * line is left out and a problem says so. An assignment in front of a command (`A=1 cmd`) does not last
 * in the shell either, so it is left out too.
 */

export interface RunConf {
  /** Every variable assigned, the last assignment winning; read them with `runConfValue`. */
  readonly values: { readonly [name: string]: string };
  /** One plain sentence per line that was left out, and why. */
  readonly problems: readonly string[];
}

/** Own keys only: a name like `constructor` must not find the prototype's. */
export function hasOwnKey(table: { readonly [key: string]: unknown }, key: string): boolean {
  // biome-ignore lint/suspicious/noPrototypeBuiltins: ES5 (mujs) has no Object.hasOwn
  return Object.prototype.hasOwnProperty.call(table, key);
}

type WordResult = { ok: true; text: string; assignment: string | null } | { ok: false; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BLANK = ' \t';
/** Characters that end a word or start shell syntax this reader does not follow. */
const OPERATORS = '|&<>()';

function isNameCharacter(ch: string, first: boolean): boolean {
  return (
    (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || (!first && ch >= '0' && ch <= '9')
  );
}

/** Reads files the way `sh` splits them into commands; `pos` always points at the next unread character. */
class Reader {
  pos = 0;
  line = 1;
  readonly values: { [name: string]: string } = {};
  readonly problems: string[] = [];
  /** Assignments earlier in the command being read: `A=1 B=$A` gives B the new A (but `export` does not). */
  pending: { [name: string]: string } = {};

  constructor(
    readonly text: string,
    readonly environment: { readonly [name: string]: string },
  ) {}

  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  advance(): string {
    const ch = this.text.charAt(this.pos);
    this.pos++;
    if (ch === '\n') this.line++;
    return ch;
  }

  skipBlanks(): void {
    while (!this.atEnd()) {
      const ch = this.peek();
      if (BLANK.indexOf(ch) >= 0) this.pos++;
      else if (ch === '\\' && this.peek(1) === '\n') {
        this.pos++;
        this.advance();
      } else break;
    }
  }

  /** The shell drops backslash-newline before it reads anything, even inside a variable's name. */
  skipContinuations(): void {
    while (this.peek() === '\\' && this.peek(1) === '\n') {
      this.pos++;
      this.advance();
    }
  }

  skipLine(): void {
    while (!this.atEnd() && this.peek() !== '\n') this.pos++;
  }

  lookup(name: string): string {
    if (hasOwnKey(this.pending, name)) return this.pending[name] ?? '';
    if (hasOwnKey(this.values, name)) return this.values[name] ?? '';
    if (hasOwnKey(this.environment, name)) return this.environment[name] ?? '';
    this.problems.push(`line ${this.line}: $${name} is not set here, so it is read as empty`);
    return '';
  }

  /** `$…` at `pos`: the expansion, or a reason this reader will not follow it. */
  dollar(): { ok: true; text: string } | { ok: false; reason: string } {
    this.pos++;
    this.skipContinuations();
    const ch = this.peek();
    if (ch === '{') {
      const close = this.text.indexOf('}', this.pos);
      const inner = close < 0 ? '' : this.text.slice(this.pos + 1, close);
      if (!NAME.test(inner))
        return { ok: false, reason: `\${${inner}} is more shell than a settings file needs` };
      this.pos = close + 1;
      return { ok: true, text: this.lookup(inner) };
    }
    if (isNameCharacter(ch, true)) {
      let name = '';
      while (isNameCharacter(this.peek(), false)) {
        name += this.advance();
        this.skipContinuations();
      }
      return { ok: true, text: this.lookup(name) };
    }
    if (ch === '(') return { ok: false, reason: 'it runs a command ($(…))' };
    if (ch === '' || BLANK.indexOf(ch) >= 0 || ch === '\n' || ch === '"') return { ok: true, text: '$' };
    return { ok: false, reason: `$${ch} is more shell than a settings file needs` };
  }

  doubleQuoted(): { ok: true; text: string } | { ok: false; reason: string } {
    let text = '';
    this.pos++;
    for (;;) {
      if (this.atEnd()) return { ok: false, reason: 'a double quote is never closed' };
      const ch = this.peek();
      if (ch === '"') {
        this.pos++;
        return { ok: true, text };
      }
      if (ch === '`') return { ok: false, reason: 'it runs a command (backquotes)' };
      if (ch === '$') {
        const expanded = this.dollar();
        if (!expanded.ok) return expanded;
        text += expanded.text;
        continue;
      }
      if (ch === '\\') {
        const next = this.peek(1);
        if (next === '\n') {
          this.pos++;
          this.advance();
          continue;
        }
        if (next === '$' || next === '`' || next === '"' || next === '\\') {
          this.pos += 2;
          text += next;
          continue;
        }
      }
      text += this.advance();
    }
  }

  /** One word, quotes removed and `$NAME` expanded; `assignment` is the name when it reads `NAME=…`. */
  word(): WordResult {
    let text = '';
    let assignment: string | null = null;
    let quoted = false;
    for (;;) {
      const ch = this.peek();
      if (this.atEnd() || BLANK.indexOf(ch) >= 0 || ch === '\n' || ch === ';') break;
      if (OPERATORS.indexOf(ch) >= 0)
        return { ok: false, reason: `"${ch}" is more shell than a settings file needs` };
      if (ch === '`') return { ok: false, reason: 'it runs a command (backquotes)' };
      if (ch === '=' && assignment === null && !quoted && NAME.test(text)) {
        assignment = text;
        text = '';
        this.pos++;
        continue;
      }
      if (ch === '"') {
        quoted = true;
        const inner = this.doubleQuoted();
        if (!inner.ok) return inner;
        text += inner.text;
      } else if (ch === "'") {
        quoted = true;
        const close = this.text.indexOf("'", this.pos + 1);
        if (close < 0) return { ok: false, reason: 'a single quote is never closed' };
        text += this.text.slice(this.pos + 1, close);
        while (this.pos <= close) this.advance();
      } else if (ch === '$') {
        const expanded = this.dollar();
        if (!expanded.ok) return expanded;
        text += expanded.text;
      } else if (ch === '\\') {
        this.pos++;
        if (this.peek() === '\n') this.advance();
        else if (!this.atEnd()) text += this.advance();
      } else text += this.advance();
    }
    return { ok: true, text, assignment };
  }

  /** One simple command: its assignments are kept only when it is nothing but assignments. */
  command(): void {
    const startLine = this.line;
    const assignments: { name: string; value: string }[] = [];
    let first = true;
    let exported = false;
    let other: string | null = null;
    this.pending = {};
    for (;;) {
      this.skipBlanks();
      const ch = this.peek();
      if (this.atEnd() || ch === '\n' || ch === ';' || ch === '#') break;
      const word = this.word();
      if (!word.ok) {
        this.problems.push(`line ${startLine} was left out: ${word.reason}`);
        this.skipLine();
        return;
      }
      if (first && word.assignment === null && word.text === 'export') exported = true;
      else if (word.assignment !== null) {
        assignments.push({ name: word.assignment, value: word.text });
        // export's words are all expanded before it runs; plain assignments happen one by one.
        if (!exported && word.assignment !== '__proto__') this.pending[word.assignment] = word.text;
      } else if (!exported && other === null) other = word.text;
      first = false;
    }
    this.pending = {};
    if (other !== null) {
      this.problems.push(`line ${startLine} was left out: "${other}" is a command, not a setting`);
      return;
    }
    for (const { name, value } of assignments) {
      if (name === '__proto__')
        this.problems.push(`line ${startLine} was left out: ${name} is not a usable name`);
      else this.values[name] = value;
    }
  }

  read(): void {
    while (!this.atEnd()) {
      this.skipBlanks();
      const ch = this.peek();
      if (ch === '\n' || ch === ';') this.advance();
      else if (ch === '#') this.skipLine();
      else if (!this.atEnd()) this.command();
    }
  }
}

/** Reads a RUNNIX settings file without running it. `environment` holds what is set before it is read. */
export function parseRunConf(text: string, environment: { readonly [name: string]: string } = {}): RunConf {
  let body = text.replace(/\r\n/g, '\n');
  if (body.charAt(0) === '\ufeff') body = body.slice(1);
  const reader = new Reader(body, environment);
  reader.read();
  return { values: reader.values, problems: reader.problems };
}

/** A variable of the file, or null when it never assigns it. */
export function runConfValue(conf: RunConf, name: string): string | null {
  return hasOwnKey(conf.values, name) ? (conf.values[name] ?? '') : null;
}
