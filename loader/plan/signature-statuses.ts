/**
 * The statuses file: what the signatures CLI (`astcard-signatures.js`, with Ed25519) found on the card, in
 * lines the plan CLI (`astcard-plan.js`, without it) reads back as `signatures.byName` for planBoot. Both
 * bundles carry this module; it imports only types, so neither the plan bundle gains the signature code nor
 * the signatures bundle the boot plan. Format in README.md ("Signatures").
 */
import type { SignaturePolicy, SignatureStatus } from '../../shared/signed-images.js';

export interface SignatureStatuses {
  /** How many of the card's key files are usable trusted keys (the policy's `cardHasKeys` is `keys > 0`). */
  readonly keys: number;
  readonly byName: { readonly [name: string]: SignatureStatus };
  /** Lines of the file that could not be understood, one sentence each. */
  readonly problems: readonly string[];
}

/** One line of the file carries no line break; a name or a list name carries no white space. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * The file's lines: `say` for each note (key files that cannot be used), `keys`, `policy`, then for each
 * candidate in `names` order a `say` line with what its signature is (the plan orders signed images first,
 * so its own line for a newer image it rejects may never be reached; this one is said before it starts)
 * and, unless it is plainly unsigned, its status line. Names with white space are left out: the version
 * grammar forbids it, so the plan rejects them before it looks at signatures.
 */
export function formatStatuses(judged: {
  readonly notes: readonly string[];
  readonly keys: number;
  readonly policy: SignaturePolicy;
  readonly names: readonly string[];
  readonly byName: { readonly [name: string]: SignatureStatus };
}): string[] {
  const lines: string[] = [];
  for (let i = 0; i < judged.notes.length; i++) lines.push(`say ${oneLine(judged.notes[i] as string)}`);
  lines.push(`keys ${judged.keys}`);
  lines.push(`policy ${judged.policy}`);
  for (let i = 0; i < judged.names.length; i++) {
    const name = judged.names[i] as string;
    // Own entries only: a name such as "__proto__" or "constructor" must not find Object.prototype's.
    // biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn is ES2022; this runs under mujs (ES5).
    const status = Object.prototype.hasOwnProperty.call(judged.byName, name)
      ? (judged.byName[name] as SignatureStatus)
      : { status: 'unsigned' as const };
    if (/\s/.test(name) || (status.status !== 'unsigned' && /\s/.test(status.list))) continue;
    if (status.status === 'unsigned') {
      lines.push(`say ${name}: not signed by a trusted key`);
    } else if (status.status === 'signed') {
      lines.push(`say ${name}: signed by ${oneLine(status.signer)} (${status.list})`);
      lines.push(
        `signed ${name} ${status.digest} ${status.keyNumber} ${status.list} ${oneLine(status.signer)}`,
      );
    } else {
      lines.push(`say ${name}: ${oneLine(status.reason)}`);
      lines.push(`${status.status} ${name} ${status.list} ${oneLine(status.reason)}`);
    }
  }
  return lines;
}

/**
 * The first `count` space-separated words of `line` and the rest after them (free text: a signer, a reason),
 * or null when it has fewer. Cut with indexOf, not a pattern: mujs's regular expressions fail on a run of
 * more than about a thousand characters, and a signer (a key's comment) may be 1023 bytes long.
 */
function words(line: string, count: number): { words: string[]; rest: string } | null {
  const found: string[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const end = line.indexOf(' ', from);
    if (end <= from) return null;
    found.push(line.slice(from, end));
    from = end + 1;
  }
  return { words: found, rest: line.slice(from) };
}

/** A file name on the card: one word of at most 255 characters (a FAT long name). */
function isName(text: string): boolean {
  return text !== '' && text.length <= 255 && !/\s/.test(text);
}

/** A `signed` line's status, or null when it is malformed. */
function signedStatus(line: string): { name: string; status: SignatureStatus } | null {
  const cut = words(line, 5);
  if (!cut) return null;
  const [, name = '', digest = '', keyNumber = '', list = ''] = cut.words;
  if (!isName(name) || !isName(list) || !/^[0-9a-f]{64}$/.test(digest)) return null;
  if (!/^[0-9a-f]{16}$/.test(keyNumber)) return null;
  return { name, status: { status: 'signed', digest, keyNumber, list, signer: cut.rest } };
}

/** A `bad-signature` or `unknown-key` line's status, or null when it is malformed. */
function failedStatus(line: string): { name: string; status: SignatureStatus } | null {
  const cut = words(line, 3);
  if (!cut) return null;
  const [word = '', name = '', list = ''] = cut.words;
  if (!isName(name) || !isName(list)) return null;
  const status = word === 'bad-signature' ? 'bad-signature' : 'unknown-key';
  return { name, status: { status, list, reason: cut.rest } };
}

/** Reads the file back; `say` and `policy` lines are for the console, unknown words are ignored. */
export function parseStatuses(text: string): SignatureStatuses {
  const byName: { [name: string]: SignatureStatus } = {};
  const problems: string[] = [];
  let keys = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    const word = line.split(' ')[0] as string;
    if (line === '' || word === 'say' || word === 'policy') continue;
    const keysMatch = word === 'keys' ? /^keys ([0-9]{1,6})$/.exec(line) : null;
    const judged =
      word === 'signed'
        ? signedStatus(line)
        : word === 'bad-signature' || word === 'unknown-key'
          ? failedStatus(line)
          : null;
    if (keysMatch) keys = parseInt(keysMatch[1] as string, 10);
    // Defined, not assigned: a line naming "__proto__" must become an entry, not the object's prototype.
    else if (judged)
      Object.defineProperty(byName, judged.name, {
        value: judged.status,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else if (word === 'keys' || word === 'signed' || word === 'bad-signature' || word === 'unknown-key') {
      problems.push(`signature statuses line ${i + 1} is malformed, ignored`);
    }
  }
  return { keys, byName, problems };
}
