/**
 * The loader's boot-policy commands, run by the init under mujs (protocol in README.md). Everything the
 * host provides comes through `PlanHost`, so Node tests can drive the same code without mujs.
 */
// Each module by name, not shared/index: the bundle mujs compiles at every start holds only what is used.
import {
  type BootCandidate,
  type BootPlan,
  findCandidate,
  judgeCandidate,
  planBoot,
} from '../../shared/boot-plan.js';
import { type DigestAlgorithm, normalizeDigest, sidecarAlgorithm } from '../../shared/checksums.js';
import { formatHandoff } from '../../shared/handoff.js';
import { parseLoaderOptions, signaturePolicy } from '../../shared/loader-config.js';
import { parseIndex } from '../../shared/remote-source.js';
import { parseListing } from './listing.js';
import { optionLines } from './options-lines.js';
import { parseStatuses } from './signature-statuses.js';

export { parseListing } from './listing.js';

export interface PlanHost {
  /** The whole file; throws when it cannot be read. */
  read(path: string): string;
  print(line: string): void;
  loaderVersion(): string | null;
}

export const EXIT_OK = 0;
export const EXIT_BAD = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** Sidecars are one line; anything larger is not read at all (the plan reports it as unreadable). */
const MAX_SIDECAR_BYTES = 65536;
/** A `.run.conf` is a few lines of shell; a bigger one is not read (the plan calls it unreadable). */
const MAX_RUN_CONF_BYTES = 65536;

const USAGE = [
  'usage: plan <cardDir> <listingFile> <cmdlineFile> [<signaturesFile|->]',
  '       verdict <cardDir> <listingFile> <cmdlineFile> <name> <actualhex|-> [<signaturesFile|->]',
  '       handoff <cmdlineFile> <name> <cardUuid|-> <[algo:]hex|-> <keydiskLocation|->',
  '       accept <cardDir> <listingFile> <cmdlineFile> <name> <algo:hex|-> <cardUuid|-> <keydiskLocation|-> [<signaturesFile|->]',
  '       options <cmdlineFile>',
  '       index <indexFile>',
];

/** Thrown for a file named on the command line that cannot be read: the caller's mistake, exit 2. */
class UnreadableArgument {
  constructor(readonly message: string) {}
}

function readArgument(host: PlanHost, path: string): string {
  try {
    return host.read(path);
  } catch {
    // The engine's own message differs between mujs and Node; the path is what the caller needs.
    throw new UnreadableArgument(`cannot read "${path}"`);
  }
}

function usage(host: PlanHost, problem: string): number {
  host.print(`usage error: ${problem}`);
  for (const line of USAGE) host.print(line);
  return EXIT_USAGE;
}

/**
 * The card's plan. `signaturesFile` is the statuses file the signatures CLI wrote (`-`, "" or undefined:
 * none, as on a card without keys and for network sources); the policy is `astlinux.signed`, or `preferred`
 * once the file says the card trusts a key (signaturePolicy, as the app decides it).
 */
function readCard(
  host: PlanHost,
  args: readonly string[],
  signaturesFile?: string,
): { plan: BootPlan; problems: string[] } {
  const [cardDir = '', listingFile = '', cmdlineFile = ''] = args;
  const listing = parseListing(readArgument(host, listingFile));
  const loader = parseLoaderOptions(readArgument(host, cmdlineFile));
  const hasFile = signaturesFile !== undefined && signaturesFile !== '' && signaturesFile !== '-';
  const statuses = hasFile ? parseStatuses(readArgument(host, signaturesFile)) : null;
  const policy = signaturePolicy(loader.options.signed, statuses !== null && statuses.keys > 0);
  const sidecars: { [name: string]: string } = {};
  const runConfs: { [name: string]: string } = {};
  for (const file of listing.files) {
    const base = file.name.slice(file.name.lastIndexOf('/') + 1);
    if (!/^astlinux-/i.test(base)) continue;
    const isSidecar = sidecarAlgorithm(base) !== null && file.size <= MAX_SIDECAR_BYTES;
    const isRunConf =
      /^os\//i.test(file.name) && /\.run\.conf$/i.test(base) && file.size <= MAX_RUN_CONF_BYTES;
    if (!isSidecar && !isRunConf) continue;
    try {
      (isSidecar ? sidecars : runConfs)[file.name] = host.read(`${cardDir}/${file.name}`);
    } catch {
      // Left out on purpose: the plan then calls this file unreadable and skips its image or release.
    }
  }
  const plan = planBoot({
    files: listing.files,
    sidecars,
    runConfs,
    pin: loader.options.pin,
    signatures: policy === 'off' ? null : { policy, byName: statuses ? statuses.byName : {} },
  });
  const problems = listing.problems.concat(loader.problems);
  return { plan, problems: statuses ? problems.concat(statuses.problems) : problems };
}

function planCommand(host: PlanHost, args: readonly string[]): number {
  const { plan, problems } = readCard(host, args, args[3]);
  for (const line of problems.concat(plan.notes)) host.print(`say ${line}`);
  if (plan.candidates.length === 0) {
    host.print('say no AstLinux image on the card (no AstLinux-X.Y.Z.img, no os/astlinux-X.Y.Z.run)');
  }
  for (const candidate of plan.candidates) {
    const { expected, rejection, name } = candidate;
    if (expected) host.print(`check ${name} ${expected.algo} ${expected.digest}`);
    else if (rejection && !/\s/.test(name)) {
      host.print(`skip ${name} ${rejection.verdict} ${judgeCandidate(candidate, null).line}`);
    } else host.print(`say ${judgeCandidate(candidate, null).line}`);
  }
  return EXIT_OK;
}

function verdictCommand(host: PlanHost, args: readonly string[]): number {
  return judge(host, args, args[5]).code;
}

/** The verdict line for `<name>`; the candidate comes back for `accept`, which needs its recipe. */
function judge(
  host: PlanHost,
  args: readonly string[],
  signaturesFile?: string,
): { code: number; candidate: BootCandidate | null } {
  const { plan } = readCard(host, args, signaturesFile);
  const name = args[3] ?? '';
  const actual = args[4] ?? '-';
  const candidate = findCandidate(plan, name);
  if (!candidate) {
    host.print(`bad unverified ${name}: not a bootable candidate on this card`);
    return { code: EXIT_BAD, candidate: null };
  }
  const verdict = judgeCandidate(candidate, actual === '-' ? null : actual);
  if (verdict.verdict === 'ok') {
    host.print(`ok ${verdict.line}`);
    return { code: EXIT_OK, candidate };
  }
  host.print(`bad ${verdict.verdict} ${verdict.line}`);
  return { code: EXIT_BAD, candidate };
}

function parseDigestArgument(text: string): { algo: DigestAlgorithm; hex: string } | null | 'invalid' {
  if (text === '-' || text === '') return null;
  const colon = text.indexOf(':');
  const named = colon < 0 ? '' : text.slice(0, colon).toLowerCase();
  const hex = colon < 0 ? text : text.slice(colon + 1);
  const algo: DigestAlgorithm | null =
    named === 'sha1' || named === 'sha256'
      ? named
      : colon >= 0
        ? null
        : hex.length === 40
          ? 'sha1'
          : 'sha256';
  const normalized = algo ? normalizeDigest(hex, algo) : null;
  return algo && normalized ? { algo, hex: normalized } : 'invalid';
}

function handoffCommand(host: PlanHost, args: readonly string[]): number {
  const [cmdlineFile = '', image = '', card = '-', digestText = '-', keydisk = '-'] = args;
  return printHandoff(host, { cmdlineFile, image, card, digestText, keydisk });
}

interface HandoffRequest {
  readonly cmdlineFile: string;
  readonly image: string;
  readonly card: string;
  readonly digestText: string;
  /** `-` or "" takes the loader's astlinux.keydisk; null leaves the keydisk out. */
  readonly keydisk: string | null;
}

function printHandoff(host: PlanHost, request: HandoffRequest): number {
  const { cmdlineFile, image, card, digestText, keydisk } = request;
  const options = parseLoaderOptions(readArgument(host, cmdlineFile)).options;
  const digest = parseDigestArgument(digestText);
  if (digest === 'invalid') return usage(host, `"${digestText}" is not [sha1:|sha256:]<hex>`);
  try {
    const line = formatHandoff({
      image,
      // "" counts as "-": the init passes an unset shell variable through as an empty argument.
      card: card === '-' || card === '' ? options.card : card,
      digest,
      keydisk: keydisk === '-' || keydisk === '' ? options.keydisk : keydisk,
      loader: host.loaderVersion(),
    });
    host.print(line);
    return EXIT_OK;
  } catch (error) {
    return usage(host, error instanceof Error ? error.message : String(error));
  }
}

function optionsCommand(host: PlanHost, args: readonly string[]): number {
  for (const line of optionLines(readArgument(host, args[0] ?? ''))) host.print(line);
  return EXIT_OK;
}

/**
 * A remote source's `astlinux.index` as `image <name> <bytes|-> <sha1>` lines, from which the init writes a
 * listing and `.sha1` files so `plan` and `verdict` judge a downloaded image exactly as one on the card.
 * mujs cannot write files, hence lines. A bad index is one `bad <reason>` line and exit 1: the init then
 * moves on to the next source.
 */
function indexCommand(host: PlanHost, args: readonly string[]): number {
  const result = parseIndex(readArgument(host, args[0] ?? ''));
  if (!result.ok) {
    host.print(`bad ${result.reason.replace(/[\r\n]+/g, ' ')}`);
    return EXIT_BAD;
  }
  for (const entry of result.entries) {
    // A name with a space would split the shell's `read`; parseIndex's names never have one, but check.
    if (/\s/.test(entry.name)) continue;
    host.print(`image ${entry.name} ${entry.size === null ? '-' : entry.size} ${entry.sha1}`);
  }
  return EXIT_OK;
}

/**
 * `verdict`, then `handoff` when the verdict is ok: one mujs start per image on the loader's boot path instead
 * of two (each start costs ~0.1 s under emulation, more on a slow CPU). Prints the verdict line, then the
 * handoff line; exits as the first of the two that fails. For a release (`os/…run`) two more lines say how
 * to start it: `release <fstype> <offset> <image|card> <kernel path> <initrd path on the card>`, then
 * `kcmd <its KCMD>`; its handoff carries no keydisk (AstLinux finds its ASTKD partition itself).
 */
function acceptCommand(host: PlanHost, args: readonly string[]): number {
  const [cardDir = '', listing = '', cmdline = '', name = '', digest = '-', card = '-', keydisk = '-'] = args;
  const hex = digest.indexOf(':') < 0 ? digest : digest.slice(digest.indexOf(':') + 1);
  const judged = judge(host, [cardDir, listing, cmdline, name, hex === '' ? '-' : hex], args[7]);
  if (judged.code !== EXIT_OK) return judged.code;
  const recipe = judged.candidate ? judged.candidate.recipe : null;
  const request = { cmdlineFile: cmdline, image: name, card, digestText: digest };
  if (!recipe) return printHandoff(host, { ...request, keydisk });
  const code = printHandoff(host, { ...request, keydisk: null });
  if (code !== EXIT_OK) return code;
  host.print(
    `release ${recipe.fstype} ${recipe.offset} ${recipe.kernel.where} ${recipe.kernel.path} ${recipe.initrd}`,
  );
  host.print(`kcmd ${recipe.kcmd}`);
  return EXIT_OK;
}

interface Command {
  readonly name: string;
  readonly arity: number;
  /** Set when a last argument may be left out: the statuses file, after the arguments it always takes. */
  readonly optional?: number;
  readonly run: (host: PlanHost, args: readonly string[]) => number;
}

const COMMANDS: readonly Command[] = [
  { name: 'plan', arity: 3, optional: 1, run: planCommand },
  { name: 'verdict', arity: 5, optional: 1, run: verdictCommand },
  { name: 'handoff', arity: 5, run: handoffCommand },
  { name: 'accept', arity: 7, optional: 1, run: acceptCommand },
  { name: 'options', arity: 1, run: optionsCommand },
  { name: 'index', arity: 1, run: indexCommand },
];

/** Runs one command; returns the exit code. Argument files that cannot be read are usage errors. */
export function runPlanCli(argv: readonly string[], host: PlanHost): number {
  const name = argv[0] ?? '';
  let command: Command | null = null;
  for (const known of COMMANDS) if (known.name === name) command = known;
  if (!command) return usage(host, name === '' ? 'no command' : `unknown command "${name}"`);
  const args = argv.slice(1);
  const most = command.arity + (command.optional ?? 0);
  if (args.length < command.arity || args.length > most) {
    const count = most === command.arity ? `${command.arity}` : `${command.arity} or ${most}`;
    return usage(host, `${name} takes ${count} argument(s)`);
  }
  try {
    return command.run(host, args);
  } catch (error) {
    if (error instanceof UnreadableArgument) return usage(host, error.message);
    throw error;
  }
}
