/**
 * Reads an AstLinux settings file (rc.conf.d/user.conf) the way AstLinux does, without losing a byte of it.
 *
 * AstLinux (usr/sbin/gen-rc-conf) concatenates its defaults and every /mnt/kd/rc.conf.d/*.conf, dropping
 * empty lines and lines that start with #, and sources the result with the shell: the last assignment of a
 * variable wins. So a value here is the shell's reading of the file with those lines taken out, and the
 * file is kept as its physical lines so that an edit can touch only the lines of the variable it changes.
 */
import { readCommandLine, type Token } from './shell-lexer.js';

export interface PhysicalLine {
  /** The line without its line feed (a CR of a CR LF ending stays here, as in the file). */
  text: string;
  /** '\n', or '' for a last line without one. */
  eol: string;
}

/** A plain `NAME=value` (or `export NAME=value`, maybe with a `;`) command line, the only kind an edit rewrites. */
export interface Assignment {
  name: string;
  /** What the shell assigns, or null when the value expands something ($VAR, $(…), `…`). */
  value: string | null;
  /** The value as written in the file, quotes included. */
  raw: string;
  exported: boolean;
  /** Physical lines (0-based, inclusive) the command line spans. */
  first: number;
  last: number;
  /** What comes before NAME on the first line (indentation, `export `) and after the value on the last. */
  prefix: string;
  suffix: string;
  quote: 'double' | 'single' | 'none' | 'mixed';
}

/** A variable set by shell code the editor does not rewrite: inside if/case/loops, or among other commands. */
export interface OtherMention {
  name: string;
  line: number;
}

export interface ConfProblem {
  /** 1-based line number. */
  line: number;
  message: string;
  /** True when editing the file could put a new value where the shell would not read it as meant. */
  blocksEditing: boolean;
}

export interface ParsedConf {
  lines: PhysicalLine[];
  assignments: Assignment[];
  others: OtherMention[];
  problems: ConfProblem[];
}

export function splitLines(text: string): PhysicalLine[] {
  const parts = text.split('\n');
  const lines = parts.slice(0, -1).map((part) => ({ text: part, eol: '\n' }));
  const last = parts[parts.length - 1] as string;
  if (last !== '') lines.push({ text: last, eol: '' });
  return lines;
}

/** The lines AstLinux's merge takes out before the shell reads the file. */
const droppedByMerge = (line: string) => line === '' || line.startsWith('#');

const OPENERS = new Set(['if', 'case', 'for', 'while', 'until', 'select', '{']);
const CLOSERS = new Set(['fi', 'esac', 'done', '}']);
const COMMAND_AFTER = new Set([';', '&', '|', '&&', '||', '(', ')', ';;']);
const COMMAND_AFTER_WORDS = new Set(['then', 'do', 'else', 'elif', '{', '!', 'if', 'while', 'until']);
const NAMING_COMMANDS = new Set(['unset', 'export', 'readonly', 'read', 'declare', 'typeset', 'local']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

function quoteStyle(raw: string): Assignment['quote'] {
  if (/^"[^"]*"$/.test(raw)) return 'double';
  if (/^'[^']*'$/.test(raw)) return 'single';
  if (!/["'\\]/.test(raw)) return 'none';
  return 'mixed';
}

export function parseUserConf(text: string): ParsedConf {
  const lines = splitLines(text);
  // The text the shell reads: lines the merge drops are left out, a CR before the line feed is dropped
  // here too (reported below), and `starts` maps each shell line back to its physical line.
  const visible: number[] = [];
  let shellText = '';
  const starts: number[] = [];
  const problems: ConfProblem[] = [];
  const windowsLines = lines.filter((line) => line.text.endsWith('\r')).length;
  if (windowsLines > 0) {
    problems.push({
      line: lines.findIndex((line) => line.text.endsWith('\r')) + 1,
      message: `${windowsLines > 1 ? `and ${windowsLines - 1} more end` : 'ends'} with Windows line endings (CR LF): AstLinux reads the CR as part of the line, so a value there carries a stray character. astcard writes the lines it changes with plain line feeds.`,
      blocksEditing: false,
    });
  }
  lines.forEach((line, index) => {
    if (droppedByMerge(line.text)) return;
    visible.push(index);
    starts.push(shellText.length);
    shellText += `${line.text.endsWith('\r') ? line.text.slice(0, -1) : line.text}\n`;
  });
  const visibleAt = (offset: number) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  };

  const assignments: Assignment[] = [];
  const others: OtherMention[] = [];
  let depth = 0;
  let v = 0;
  while (v < visible.length) {
    const start = starts[v] as number;
    const command = readCommandLine(shellText, start);
    const lastVisible = visibleAt(Math.max(start, command.end - 1));
    const first = visible[v] as number;
    const last = visible[lastVisible] as number;
    if (command.open) {
      problems.push({
        line: first + 1,
        message: `opens ${command.open} that never closes: the shell would read everything after it as part of this line. Correct the file on the PBX first.`,
        blocksEditing: true,
      });
    }
    const words = command.tokens;
    const assignment =
      depth === 0 && !command.open
        ? readAssignment(shellText, words, lines, {
            first,
            last,
            start,
            lastStart: starts[lastVisible] as number,
          })
        : null;
    if (assignment) assignments.push(assignment);
    else {
      for (const name of namesIn(shellText, words)) others.push({ name, line: first + 1 });
      depth = Math.max(0, depth + nesting(shellText, words));
    }
    v = lastVisible + 1;
  }
  return { lines, assignments, others, problems };
}

/** NAME=value alone on its command line (after an optional `export`), or null. */
function readAssignment(
  shellText: string,
  tokens: Token[],
  lines: PhysicalLine[],
  at: { first: number; last: number; start: number; lastStart: number },
): Assignment | null {
  const { first, last } = at;
  const text = (token: Token) => shellText.slice(token.start, token.end);
  // A `;` after the value ends the command like the newline does; it stays in the kept suffix.
  const closing = tokens[tokens.length - 1];
  const words = closing?.kind === 'operator' && text(closing) === ';' ? tokens.slice(0, -1) : tokens;
  const exported = words.length === 2 && words[0]?.kind === 'word' && text(words[0]) === 'export';
  if (words.length !== (exported ? 2 : 1)) return null;
  const word = words[words.length - 1] as Token;
  const match = word.kind === 'word' ? ASSIGNMENT.exec(text(word)) : null;
  if (!match) return null;
  const name = match[1] as string;
  const raw = text(word).slice(name.length + 1);
  // The rewrite keeps what surrounds the word; that is only simple when the word starts on the first
  // physical line and ends on the last.
  const firstLine = lines[first]?.text.replace(/\r$/, '') ?? '';
  const lastLine = lines[last]?.text.replace(/\r$/, '') ?? '';
  const prefix = shellText.slice(at.start, word.start);
  if (prefix.includes('\n') || !firstLine.startsWith(prefix) || word.end < at.lastStart) return null;
  const suffix = lastLine.slice(word.end - at.lastStart);
  const expands = word.value === null || raw.startsWith('~');
  return {
    name,
    value: expands ? null : (word.value as string).slice(name.length + 1),
    raw,
    exported,
    first,
    last,
    prefix,
    suffix,
    quote: quoteStyle(raw),
  };
}

/** Variables a command line other than a plain assignment sets or unsets. */
function namesIn(shellText: string, tokens: Token[]): string[] {
  const names: string[] = [];
  let naming = false;
  for (const token of tokens) {
    if (token.kind === 'operator') {
      naming = false;
      continue;
    }
    const word = shellText.slice(token.start, token.end);
    const assigned = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(word);
    if (assigned) names.push(assigned[1] as string);
    else if (naming && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) names.push(word);
    if (NAMING_COMMANDS.has(word)) naming = true;
  }
  return names;
}

/** How much deeper in if/case/loop/{ } blocks the shell is after this command line. */
function nesting(shellText: string, tokens: Token[]): number {
  let change = 0;
  let commandPosition = true;
  for (const token of tokens) {
    const word = shellText.slice(token.start, token.end);
    if (token.kind === 'operator') {
      commandPosition = COMMAND_AFTER.has(word);
      continue;
    }
    if (commandPosition) {
      if (OPENERS.has(word)) change++;
      else if (CLOSERS.has(word)) change--;
    }
    commandPosition = COMMAND_AFTER_WORDS.has(word) && commandPosition;
  }
  return change;
}

export interface ConfVariable {
  name: string;
  /** The value the shell gives it, or null when that depends on more than the file (an expansion). */
  value: string | null;
  /** As written in the file. */
  raw: string;
  /** 1-based line of the assignment that takes effect. */
  line: number;
  exported: boolean;
}

export interface ConfValues {
  /** Every variable the file sets to a plain value, as AstLinux will read it (the last assignment wins). */
  values: Record<string, string>;
  /** Every variable the file assigns, in the order they first appear, with the assignment that wins. */
  variables: ConfVariable[];
  /** Variables set by shell code astcard reads but does not edit (inside if-blocks, among other commands). */
  others: OtherMention[];
  problems: ConfProblem[];
}

/** What a settings file sets, as AstLinux will see it. */
export function readUserConf(text: string): ConfValues {
  const parsed = parseUserConf(text);
  const byName = new Map<string, ConfVariable>();
  for (const assignment of parsed.assignments) {
    byName.delete(assignment.name);
    byName.set(assignment.name, {
      name: assignment.name,
      value: assignment.value,
      raw: assignment.raw,
      line: assignment.first + 1,
      exported: assignment.exported,
    });
  }
  const values: Record<string, string> = {};
  for (const variable of byName.values()) {
    // A later line the editor does not understand may set it again; then its value is not known here.
    const laterOther = parsed.others.some(
      (other) => other.name === variable.name && other.line > variable.line,
    );
    if (variable.value !== null && !laterOther) values[variable.name] = variable.value;
  }
  const order = new Map<string, number>();
  parsed.assignments.forEach((assignment, index) => {
    if (!order.has(assignment.name)) order.set(assignment.name, index);
  });
  const variables = [...byName.values()].sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return { values, variables, others: parsed.others, problems: parsed.problems };
}
