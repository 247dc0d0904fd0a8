/**
 * Changes variables in a settings file and nothing else: a changed value is rewritten on its own line (its
 * indentation, `export`, quoting style and trailing comment kept), a new variable is appended, an unset
 * one has its assignment lines removed, and every other byte stays as it was. Asking for the values the
 * file already has gives back the very same text.
 */
import type { SettingIssue } from './changes.js';
import { type QuoteStyle, quoteValue } from './shell-quote.js';
import { type Assignment, parseUserConf } from './user-conf.js';

export interface SettingChange {
  name: string;
  action: 'changed' | 'added' | 'removed';
  /** The value before (null when it was an expansion the file computes); absent for an added variable. */
  before?: string | null;
  /** The value after; absent for a removed variable. */
  after?: string;
  /** 1-based line in the new text (for a removed variable: where it was in the old text). */
  line: number;
}

export interface EditResult {
  text: string;
  changes: SettingChange[];
  /** Changes the file cannot take as it stands; when there are any, `text` is the file unchanged. */
  errors: SettingIssue[];
}

export interface EditOptions {
  /** A comment line written above the variables this edit appends (without the leading "## "). */
  appendComment?: string;
}

function styleOf(assignment: Assignment): QuoteStyle {
  return assignment.quote === 'single' ? 'single' : assignment.quote === 'none' ? 'none' : 'double';
}

/** `set` values must already have passed the model's checks (checkChanges). */
export function editUserConf(
  text: string,
  changes: { set: Readonly<Record<string, string>>; unset: readonly string[] },
  options: EditOptions = {},
): EditResult {
  const parsed = parseUserConf(text);
  const errors: SettingIssue[] = [];
  const blocking = parsed.problems.find((problem) => problem.blocksEditing);
  const wanted = Object.keys(changes.set).length + changes.unset.length;
  if (blocking && wanted > 0) {
    return {
      text,
      changes: [],
      errors: [
        {
          names: [],
          kind: 'file',
          message: `The settings file cannot be edited safely: line ${blocking.line} ${blocking.message}`,
        },
      ],
    };
  }

  // Physical line index → what replaces it: a new line, or nothing.
  const replaced = new Map<number, { text: string; change: SettingChange } | null>();
  const appended: Array<{ name: string; value: string }> = [];
  const removed: SettingChange[] = [];
  const lastOther = (name: string) =>
    Math.max(0, ...parsed.others.filter((other) => other.name === name).map((other) => other.line));

  for (const [name, value] of Object.entries(changes.set)) {
    const last = parsed.assignments.filter((assignment) => assignment.name === name).pop();
    // In place only when that line is what takes effect; after shell code that may set it too, append.
    if (!last || lastOther(name) > last.first + 1) {
      appended.push({ name, value });
      continue;
    }
    if (last.value === value) continue;
    const line = `${last.prefix}${name}=${quoteValue(value, styleOf(last))}${last.suffix}`;
    replaced.set(last.first, {
      text: line + ((parsed.lines[last.last] as { eol: string }).eol || ''),
      change: { name, action: 'changed', before: last.value, after: value, line: 0 },
    });
    for (let i = last.first + 1; i <= last.last; i++) replaced.set(i, null);
  }

  for (const name of changes.unset) {
    const other = lastOther(name);
    if (other > 0) {
      errors.push({
        names: [name],
        kind: 'file',
        message: `${name} cannot be unset here: line ${other} of the settings file sets it inside shell code astcard does not change. Remove it there (on the PBX, or in its web interface's Edit tab).`,
      });
      continue;
    }
    const all = parsed.assignments.filter((assignment) => assignment.name === name);
    for (const assignment of all) {
      for (let i = assignment.first; i <= assignment.last; i++) replaced.set(i, null);
    }
    const effective = all[all.length - 1];
    if (effective)
      removed.push({ name, action: 'removed', before: effective.value, line: effective.first + 1 });
  }
  if (errors.length > 0) return { text, changes: [], errors };

  const out: string[] = [];
  const changed: SettingChange[] = [];
  let lineNumber = 0;
  parsed.lines.forEach((line, index) => {
    if (!replaced.has(index)) {
      out.push(line.text + line.eol);
      lineNumber++;
      return;
    }
    const replacement = replaced.get(index);
    if (!replacement) return;
    out.push(replacement.text);
    lineNumber++;
    changed.push({ ...replacement.change, line: lineNumber });
  });
  if (appended.length > 0) {
    const last = out[out.length - 1];
    if (last !== undefined && !last.endsWith('\n')) out.push('\n');
    if (options.appendComment) {
      // A comment line is inert to the shell whatever it holds, as long as it stays one line.
      const comment = [...options.appendComment].map((char) => (char < ' ' || char === '\x7f' ? ' ' : char));
      out.push(`## ${comment.join('')}\n`);
      lineNumber++;
    }
    for (const { name, value } of appended) {
      out.push(`${name}=${quoteValue(value)}\n`);
      lineNumber++;
      changed.push({ name, action: 'added', after: value, line: lineNumber });
    }
  }
  return { text: out.join(''), changes: [...changed, ...removed], errors: [] };
}
