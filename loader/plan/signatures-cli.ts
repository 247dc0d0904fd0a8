/**
 * The loader's signature check, run by the init under mujs only when the card trusts keys (or
 * `astlinux.signed=required`): reads the card's key files and signed lists, judges them with the shared
 * `judgeSignatures` (Ed25519, as the app does), and prints the statuses file the plan CLI reads back
 * (`signature-statuses.ts`). A bundle of its own (`astcard-signatures.js`), so the plan bundle that mujs
 * compiles at every start carries no Ed25519. Protocol in README.md ("Signatures").
 */
// Each module by name, not shared/index: this bundle holds only the signature code and the option parser.
import { parseLoaderOptions, signaturePolicy } from '../../shared/loader-config.js';
import { type CardText, judgeSignatures } from '../../shared/signed-images.js';
import { isSignedListName } from '../../shared/signed-list-name.js';
import { parseListing } from './listing.js';
import { formatStatuses } from './signature-statuses.js';

export interface SignaturesHost {
  /** The whole file; throws when it cannot be read. */
  read(path: string): string;
  print(line: string): void;
}

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** A key file is two short lines; a larger one is not read (the app's card-keys.ts draws the same line). */
export const MAX_KEY_FILE_BYTES = 4096;
/** Signed lists are a signature and a few lines; a larger one is not read (as card-signatures.ts). */
export const MAX_LIST_BYTES = 65536;

const USAGE = ['usage: signatures <cardDir> <listingFile> <keysFile> <cmdlineFile>'];

/** A candidate's name as the plan lists it: an image at the root, a release in os/ (boot-plan.ts). */
function isCandidateName(name: string): boolean {
  return /^astlinux-[^/]*\.img$/i.test(name) || /^os\/astlinux-[^/]*\.run$/i.test(name);
}

function usage(host: SignaturesHost, problem: string): number {
  host.print(`usage error: ${problem}`);
  for (const line of USAGE) host.print(line);
  return EXIT_USAGE;
}

/** `<size> keys/<name>` lines, as the init lists the card's keys folder; only `*.pub` files are keys. */
function readKeys(host: SignaturesHost, cardDir: string, text: string, notes: string[]): CardText[] {
  const keys: CardText[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([0-9]+) (.+)$/.exec((lines[i] as string).replace(/\r$/, ''));
    if (!match) continue;
    const path = match[2] as string;
    const name = `keys/${path.slice(path.lastIndexOf('/') + 1)}`;
    if (!/\.pub$/i.test(name)) continue;
    if (parseInt(match[1] as string, 10) > MAX_KEY_FILE_BYTES) {
      notes.push(`${name}: not a usable public key (far too large to be a public key), ignored`);
      continue;
    }
    try {
      keys.push({ name, text: host.read(`${cardDir}/${name}`) });
    } catch {
      notes.push(`${name}: not a usable public key (it cannot be read), ignored`);
    }
  }
  return keys;
}

function signaturesCommand(host: SignaturesHost, args: readonly string[]): number {
  const [cardDir = '', listingFile = '', keysFile = '', cmdlineFile = ''] = args;
  let listingText: string;
  let keysText: string;
  let cmdline: string;
  try {
    listingText = host.read(listingFile);
    keysText = host.read(keysFile);
    cmdline = host.read(cmdlineFile);
  } catch {
    return usage(host, `cannot read "${listingFile}", "${keysFile}" or "${cmdlineFile}"`);
  }
  const notes: string[] = [];
  const keys = readKeys(host, cardDir, keysText, notes);
  const names: string[] = [];
  const lists: CardText[] = [];
  const files = parseListing(listingText).files;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as (typeof files)[number];
    if (isCandidateName(file.name)) names.push(file.name);
    else if (isSignedListName(file.name) && file.size <= MAX_LIST_BYTES) {
      try {
        lists.push({ name: file.name, text: host.read(`${cardDir}/${file.name}`) });
      } catch {
        // Left out: the images it names are then judged by the other lists, or unsigned.
      }
    }
  }
  const judged = judgeSignatures({ keys, lists, names });
  const policy = signaturePolicy(parseLoaderOptions(cmdline).options.signed, judged.keys.length > 0);
  const allNotes = notes.concat(judged.notes);
  const lines = formatStatuses({
    notes: allNotes,
    keys: judged.keys.length,
    policy,
    names,
    byName: judged.byName,
  });
  for (let i = 0; i < lines.length; i++) host.print(lines[i] as string);
  return EXIT_OK;
}

/** Runs one command; returns the exit code. */
export function runSignaturesCli(argv: readonly string[], host: SignaturesHost): number {
  const name = argv[0] ?? '';
  if (name !== 'signatures') return usage(host, name === '' ? 'no command' : `unknown command "${name}"`);
  if (argv.length !== 5) return usage(host, 'signatures takes 4 argument(s)');
  return signaturesCommand(host, argv.slice(1));
}
