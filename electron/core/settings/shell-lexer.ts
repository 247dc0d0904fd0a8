/**
 * Just enough of the POSIX shell's reading rules to split a settings file into command lines and its words,
 * and to tell what value an assignment gives: quotes, backslashes, comments, line continuations, and the
 * expansions ($VAR, $(…), `…`, ${…}, $'…') that make a value depend on more than its own text. Nothing is
 * ever run or expanded; a word with an expansion has no literal value (null).
 */

export interface Token {
  kind: 'word' | 'operator';
  /** Offsets into the scanned text: the token is text.slice(start, end). */
  start: number;
  end: number;
  /** For a word: its value once the shell has removed quotes and backslashes; null when it expands something. */
  value: string | null;
  /** For a word: its first character was an unquoted ~ (tilde expansion). */
  tilde: boolean;
}

export interface CommandLine {
  tokens: Token[];
  /** Offset of the newline that ends the command line, or the text's length. */
  end: number;
  /** What is left open at the end of the text (a quote, a $( …), or null when everything closes. */
  open: string | null;
}

const OPERATOR_CHARS = ';&|<>()';
const TWO_CHAR_OPERATORS = new Set([';;', '&&', '||', '>>', '<<', '>&', '<&', '<>', '>|']);
const SPECIAL_PARAMETERS = '@*#?$!-0123456789';

class Unclosed extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

/** Index just past the quote that closes a single-quoted string starting at `at` (the opening quote). */
function skipSingle(text: string, at: number): number {
  const close = text.indexOf("'", at + 1);
  if (close < 0) throw new Unclosed("a ' quote");
  return close + 1;
}

/** Past the end of $'…', where backslash escapes a quote. */
function skipAnsiC(text: string, at: number): number {
  for (let i = at + 2; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === "'") return i + 1;
  }
  throw new Unclosed("a $' quote");
}

function skipBackquote(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '`') return i + 1;
  }
  throw new Unclosed('a ` command substitution');
}

function skipDouble(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if (c === '`') i = skipBackquote(text, i) - 1;
    else if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) i = skipDollar(text, i) - 1;
  }
  throw new Unclosed('a " quote');
}

/** Past the end of a bracketed expansion starting at `at` (the $): $( … ), $(( … )) or ${ … }. */
function skipDollar(text: string, at: number): number {
  const open = text[at + 1] as '(' | '{';
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === "'" && open === '(') i = skipSingle(text, i) - 1;
    else if (c === '"') i = skipDouble(text, i) - 1;
    else if (c === '`') i = skipBackquote(text, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Unclosed(open === '(' ? 'a $( command substitution' : 'a ${ expansion');
}

/**
 * Reads a $ at `at`. Returns where reading goes on and whether it expands something; a $ that starts
 * nothing ("$ ", "$" at the end, "$/") is an ordinary character to the shell.
 */
function readDollar(text: string, at: number, quoted: boolean): { next: number; expands: boolean } {
  const c = text[at + 1];
  if (c === '(' || c === '{') return { next: skipDollar(text, at), expands: true };
  if (c === "'" && !quoted) return { next: skipAnsiC(text, at), expands: true };
  if (c !== undefined && SPECIAL_PARAMETERS.includes(c)) return { next: at + 2, expands: true };
  if (c !== undefined && /[A-Za-z_]/.test(c)) {
    let i = at + 1;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i] as string)) i++;
    return { next: i, expands: true };
  }
  return { next: at + 1, expands: false };
}

/** Reads one word starting at `at`; returns it and where it ends (white space, an operator, a newline). */
function readWord(text: string, at: number): { token: Token; next: number } {
  let value = '';
  let literal = true;
  let i = at;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || OPERATOR_CHARS.includes(c)) break;
    if (c === '\\') {
      if (text[i + 1] === '\n') i += 2;
      else if (i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    } else if (c === "'") {
      const next = skipSingle(text, i);
      value += text.slice(i + 1, next - 1);
      i = next;
    } else if (c === '"') {
      i = readDoubleQuoted(text, i, (part) => {
        if (part === null) literal = false;
        else value += part;
      });
    } else if (c === '$') {
      const { next, expands } = readDollar(text, i, false);
      if (expands) literal = false;
      else value += c;
      i = next;
    } else if (c === '`') {
      i = skipBackquote(text, i);
      literal = false;
    } else {
      value += c;
      i++;
    }
  }
  return {
    token: { kind: 'word', start: at, end: i, value: literal ? value : null, tilde: text[at] === '~' },
    next: i,
  };
}

/** Reads "…" at `at`, handing each literal piece (or null for an expansion) to `emit`; returns the end. */
function readDoubleQuoted(text: string, at: number, emit: (part: string | null) => void): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') return i + 1;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') i += 2;
      else if (next !== undefined && '$`"\\'.includes(next)) {
        emit(next);
        i += 2;
      } else {
        emit(c);
        i++;
      }
    } else if (c === '$') {
      const { next, expands } = readDollar(text, i, true);
      emit(expands ? null : c);
      i = next;
    } else if (c === '`') {
      i = skipBackquote(text, i);
      emit(null);
    } else {
      emit(c);
      i++;
    }
  }
  throw new Unclosed('a " quote');
}

/**
 * Reads one command line starting at `start`: words and operators up to the newline that ends it. Quotes,
 * substitutions and backslash-newline carry it over several lines; a # at the start of a word comments
 * out the rest of the line.
 */
export function readCommandLine(text: string, start: number): CommandLine {
  const tokens: Token[] = [];
  let i = start;
  try {
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '\n') return { tokens, end: i, open: null };
      if (c === ' ' || c === '\t') i++;
      else if (c === '\\' && text[i + 1] === '\n') i += 2;
      else if (c === '#') {
        const newline = text.indexOf('\n', i);
        i = newline < 0 ? text.length : newline;
      } else if (OPERATOR_CHARS.includes(c)) {
        const length = TWO_CHAR_OPERATORS.has(text.slice(i, i + 2)) ? 2 : 1;
        tokens.push({ kind: 'operator', start: i, end: i + length, value: null, tilde: false });
        i += length;
      } else {
        const { token, next } = readWord(text, i);
        tokens.push(token);
        i = next;
      }
    }
    return { tokens, end: text.length, open: null };
  } catch (error) {
    if (error instanceof Unclosed) return { tokens, end: text.length, open: error.what };
    throw error;
  }
}
