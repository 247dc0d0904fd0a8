/**
 * Judges a volume scan: every problem fsck.fat would find that matters to a card, each with how grave it
 * is, a plain sentence naming the file, and what puts it right. Three kinds, because they call for three
 * answers:
 *
 * - `interrupted`: what a cut in one of our own operations leaves (lost clusters, FAT copies caught between
 *   two writes, a temporary file still sharing its final name's data, an orphaned long-name part). Put
 *   right automatically before the next write (volume-repair.ts, scope `interrupted`).
 * - `harmless`: never blocks a write; a repair tidies it (a temporary copy nobody finished, a long name no
 *   FAT tool could have written).
 * - `damaged`: anything else fsck.fat would change. Nothing is written until a repair has fixed it,
 *   because writing to a volume whose chains cross or run into free space hands live data to new files.
 */
import type { DirectoryEntry } from './directory-entry.js';
import type { VolumeParts } from './fat-parts.js';
import { nameKey } from './names.js';
import { type ScannedItem, scanVolume, type VolumeScan } from './volume-scan.js';

export type ProblemSeverity = 'interrupted' | 'harmless' | 'damaged';

export type VolumeProblemCode =
  // interrupted
  | 'fat-copies-differ'
  | 'lost-clusters'
  | 'interrupted-replace'
  | 'orphaned-long-name'
  | 'free-count-wrong'
  // harmless
  | 'leftover-temporary'
  | 'unusable-long-name'
  // damaged
  | 'chain-loop'
  | 'chain-broken'
  | 'entry-out-of-range'
  | 'cross-linked'
  | 'size-mismatch'
  | 'directory-size'
  | 'directory-too-large'
  | 'bad-short-name'
  | 'duplicate-name'
  | 'dot-entries'
  | 'fat-header'
  | 'dirty'
  | 'label-mismatch';

export interface VolumeProblem {
  code: VolumeProblemCode;
  severity: ProblemSeverity;
  /** What is wrong, in plain words, naming the file. */
  message: string;
  /** What puts it right. */
  fix: string;
  /** Paths of the files concerned (empty for the volume as a whole). */
  paths: string[];
  /** The scan's items concerned, for the repair. */
  items: number[];
}

export interface CheckOptions {
  /**
   * Names of temporary files renamed over a final name once written (`kd.img.part` → `kd.img`): the final
   * name for such a name, else null. A temporary file found sharing its final name's data is then an
   * interrupted replace, finished by dropping the temporary name; without a rule it is a cross-link.
   */
  temporaryOf?: (name: string) => string | null;
}

export interface VolumeCheck {
  problems: VolumeProblem[];
  scan: VolumeScan;
}

const SEVERITY: Record<VolumeProblemCode, ProblemSeverity> = {
  'fat-copies-differ': 'interrupted',
  'lost-clusters': 'interrupted',
  'interrupted-replace': 'interrupted',
  'orphaned-long-name': 'interrupted',
  'free-count-wrong': 'interrupted',
  'leftover-temporary': 'harmless',
  'unusable-long-name': 'harmless',
  'chain-loop': 'damaged',
  'chain-broken': 'damaged',
  'entry-out-of-range': 'damaged',
  'cross-linked': 'damaged',
  'size-mismatch': 'damaged',
  'directory-size': 'damaged',
  'directory-too-large': 'damaged',
  'bad-short-name': 'damaged',
  'duplicate-name': 'damaged',
  'dot-entries': 'damaged',
  'fat-header': 'damaged',
  dirty: 'damaged',
  'label-mismatch': 'damaged',
};

/** Characters fsck.fat refuses in an 8.3 name (besides controls); the dot is implicit there. */
const BAD_SHORT_CHARS = new Set([...'*?<>|"\\/:.'].map((char) => char.charCodeAt(0)));
const MAX_DIRECTORY_BYTES = 65536 * 32;

export async function checkVolume(parts: VolumeParts, options: CheckOptions = {}): Promise<VolumeCheck> {
  const scan = await scanVolume(parts);
  return { problems: judgeScan(scan, options), scan };
}

export function judgeScan(scan: VolumeScan, options: CheckOptions = {}): VolumeProblem[] {
  const problems: VolumeProblem[] = [];
  const report = (code: VolumeProblemCode, message: string, fix: string, items: ScannedItem[] = []) =>
    problems.push({
      code,
      severity: SEVERITY[code],
      message,
      fix,
      paths: items.map((item) => shown(item.path)),
      items: items.map((item) => item.index),
    });
  const { geometry, items } = scan;
  const clusterSize = geometry.clusterSize;

  const itemOf = new Map<DirectoryEntry, ScannedItem>();
  for (const item of items) if (item.entry) itemOf.set(item.entry, item);
  const replaced = new Set<number>();
  for (const item of items) {
    const name = shown(item.path);
    if (item.end === 'loop') {
      report(
        'chain-loop',
        `${name} is damaged: the list of its parts loops back on itself.`,
        `A repair cuts ${name} off where the loop begins.`,
        [item],
      );
    } else if (item.end === 'out-of-range' && item.clusters.length === 0 && item.entry) {
      report(
        'entry-out-of-range',
        `${name} is damaged: its entry points outside the card's data area.`,
        item.isDirectory
          ? `A repair removes the folder ${name}, whose contents cannot be found.`
          : `A repair empties ${name}; copy it onto the card again afterwards.`,
        [item],
      );
    } else if (item.end === 'free' || item.end === 'bad' || item.end === 'out-of-range') {
      const into =
        item.end === 'free'
          ? 'space marked free'
          : item.end === 'bad'
            ? 'a bad area'
            : 'past the end of the card';
      report(
        'chain-broken',
        `${name} is damaged: its data runs into ${into}, where other files may be written.`,
        `A repair shortens ${name} to the part that is intact; copy it onto the card again afterwards.`,
        [item],
      );
    } else if (item.joins) {
      const owner = items[item.joins.owner] as ScannedItem;
      if (isInterruptedReplace(owner, item, options) || isInterruptedReplace(item, owner, options)) {
        const temporary = isInterruptedReplace(owner, item, options) ? item : owner;
        const final = temporary === item ? owner : item;
        replaced.add(temporary.index);
        report(
          'interrupted-replace',
          `${shown(temporary.path)} and ${shown(final.path)} hold the same data: replacing ${shown(final.path)} was cut off before it finished.`,
          `The temporary name ${shown(temporary.path)} is dropped; ${shown(final.path)} keeps the new data.`,
          [temporary, final],
        );
      } else {
        report(
          'cross-linked',
          `${shown(owner.path)} and ${name} are damaged: they share part of their data, so changing one changes the other.`,
          `A repair gives ${name} its own copy of the shared part.`,
          [item, owner],
        );
      }
    }
    if (!item.entry) continue;
    if (item.isDirectory) {
      if (item.entry.size !== 0)
        report(
          'directory-size',
          `The folder ${name} has a size recorded, which folders never have.`,
          'A repair sets it to zero.',
          [item],
        );
      if (item.clusters.length * clusterSize > MAX_DIRECTORY_BYTES)
        report(
          'directory-too-large',
          `The folder ${name} is damaged: it is larger than FAT allows.`,
          `A repair cuts ${name} back to FAT's limit.`,
          [item],
        );
    } else if (item.finalEnd === 'end' && item.end !== 'loop') {
      const needed = Math.ceil(item.entry.size / clusterSize);
      if (item.reach !== needed) {
        report(
          'size-mismatch',
          item.reach < needed
            ? `${name} is damaged: it is shorter on the card than its entry says.`
            : `${name} is damaged: it takes more space on the card than its size needs.`,
          item.reach < needed
            ? `A repair records the size ${name} really has; copy it onto the card again afterwards.`
            : `A repair frees the space past the end of ${name}.`,
          [item],
        );
      }
    }
  }

  for (const { item: index, parsed } of scan.directories) {
    const holder = items[index] as ScannedItem;
    const where = holder.path === '/' ? 'the top folder' : `the folder ${shown(holder.path)}`;
    if (parsed.orphans.length > 0) {
      report(
        'orphaned-long-name',
        `${where} holds ${parsed.orphans.length} leftover piece(s) of a long file name (a delete was cut off midway).`,
        'They are cleared.',
        [holder],
      );
    }
    const isSubdirectory = holder.entry !== null;
    if (isSubdirectory) checkDotEntries(scan, holder, parsed.entries, report);
    const seenShort = new Map<string, DirectoryEntry>();
    const seenLong = new Map<string, DirectoryEntry>();
    for (const entry of parsed.entries) {
      const isDot = entry.name === '.' || entry.name === '..';
      if (isDot && isSubdirectory && entry.shortSlot <= 1) continue;
      const child = itemOf.get(entry);
      const label = child ? shown(child.path) : entry.name;
      const childItems = child ? [child] : [];
      if (isDot || badShortName(entry.shortRaw)) {
        report(
          'bad-short-name',
          `The short name of ${label} holds characters FAT does not allow.`,
          `A repair gives ${label} a valid short name.`,
          childItems,
        );
      }
      if (entry.rejectedLongName !== undefined) {
        report(
          'unusable-long-name',
          `A file on the card is named ${JSON.stringify(entry.rejectedLongName)}, which no FAT tool may write; astcard shows it as ${entry.shortName}.`,
          `A repair drops that name, leaving ${entry.shortName}.`,
          childItems,
        );
      }
      if (isDot) continue;
      const shortKey = String.fromCharCode(...entry.shortRaw);
      const twin = seenShort.get(shortKey) ?? seenLong.get(nameKey(entry.name));
      if (twin) {
        report(
          'duplicate-name',
          `${where} holds two entries named ${twin.name}.`,
          `A repair renames the second to a name of its own.`,
          childItems,
        );
      }
      seenShort.set(shortKey, entry);
      seenLong.set(nameKey(entry.name), entry);
      const finalName = options.temporaryOf?.(entry.name) ?? null;
      if (finalName !== null && child && !replaced.has(child.index)) {
        report(
          'leftover-temporary',
          `${label} is an unfinished copy left by an interrupted operation (${sizeText(entry.size)}).`,
          `A repair removes it; nothing uses it.`,
          childItems,
        );
      }
    }
  }

  if (scan.lost.length > 0) {
    report(
      'lost-clusters',
      `${sizeText(scan.lost.length * clusterSize)} on the card is marked in use but belongs to no file (left by an interrupted write).`,
      'That space is freed.',
    );
  }
  if (scan.differingCopies.length > 0) {
    report(
      'fat-copies-differ',
      "The card's copies of its file allocation table differ (a write was cut off between them).",
      'The first copy, the one every computer reads, is copied over the others.',
    );
  }
  if (!scan.fatHeaderValid) {
    report(
      'fat-header',
      "The start of the card's file allocation table is damaged.",
      'A repair writes it again from the boot sector.',
    );
  }
  if (scan.dirty.bootSector || scan.dirty.fat) {
    report(
      'dirty',
      'The card was not removed safely from the last computer that wrote to it, so some of its files may be damaged.',
      'A repair checks every file and clears the flag.',
    );
  }
  if (labelsDiffer(scan)) {
    report(
      'label-mismatch',
      `The card's name differs between its boot sector (${scan.labels.boot.trimEnd() || 'none'}) and its top folder (${scan.labels.root?.trimEnd() ?? 'none'}).`,
      "A repair copies the top folder's name into the boot sector.",
    );
  }
  const { recorded, actual } = scan.freeCount;
  if (recorded !== null && recorded !== actual) {
    report(
      'free-count-wrong',
      'The free space the card records for itself is out of date.',
      'It is counted again.',
    );
  }
  return problems;
}

function isInterruptedReplace(final: ScannedItem, temporary: ScannedItem, options: CheckOptions): boolean {
  const rule = options.temporaryOf;
  if (!rule || !final.entry || !temporary.entry) return false;
  const wanted = rule(temporary.entry.name);
  return (
    wanted !== null &&
    nameKey(wanted) === nameKey(final.entry.name) &&
    temporary.holder === final.holder &&
    temporary.entry.startCluster === final.entry.startCluster &&
    temporary.entry.size === final.entry.size &&
    !temporary.isDirectory &&
    !final.isDirectory
  );
}

function checkDotEntries(
  scan: VolumeScan,
  holder: ScannedItem,
  entries: DirectoryEntry[],
  report: (code: VolumeProblemCode, message: string, fix: string, items: ScannedItem[]) => void,
): void {
  const parent = scan.items[holder.parent] as ScannedItem;
  const rootCluster = scan.geometry.type === 32 ? scan.geometry.rootCluster : 0;
  const parentCluster =
    parent.entry === null || parent.entry.startCluster === rootCluster ? 0 : parent.entry.startCluster;
  const dot = entries.find((entry) => entry.shortSlot === 0);
  const dotDot = entries.find((entry) => entry.shortSlot === 1);
  const right =
    dot?.name === '.' &&
    dotDot?.name === '..' &&
    dot.firstSlot === 0 &&
    dotDot.firstSlot === 1 &&
    dot.startCluster === holder.entry?.startCluster &&
    dotDot.startCluster === parentCluster;
  if (!right) {
    report(
      'dot-entries',
      `The folder ${shown(holder.path)} is damaged: its links to itself and to the folder above are wrong.`,
      'A repair writes them again where it can.',
      [holder],
    );
  }
}

function badShortName(raw: Uint8Array): boolean {
  if (raw[0] === 0x20) return true;
  for (let i = 0; i < 11; i++) {
    const byte = raw[i] as number;
    if ((byte < 0x20 && !(i === 0 && byte === 0x05)) || byte === 0x7f || BAD_SHORT_CHARS.has(byte))
      return true;
  }
  return false;
}

function labelsDiffer(scan: VolumeScan): boolean {
  const { boot, root } = scan.labels;
  const noName = 'NO NAME    ';
  if (root === null) return boot !== noName;
  if (boot === noName) return root !== noName;
  return boot !== root;
}

function shown(path: string): string {
  return path.replace(/^\/+/, '') || '/';
}

function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
