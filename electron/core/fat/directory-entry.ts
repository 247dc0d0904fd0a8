/** 32-byte directory entries: the 8.3 entry and the long-file-name (LFN) entries before it. */
import { setU16, setU32, u8, u16, u32 } from '../block/little-endian.js';
import { displayShortName, lfnChecksum } from './names.js';

export const ENTRY_SIZE = 32;

/** Offsets inside an 8.3 entry. */
export const DIR = {
  name: 0,
  attributes: 11,
  caseFlags: 12,
  createTimeTenth: 13,
  createTime: 14,
  createDate: 16,
  accessDate: 18,
  clusterHigh: 20,
  writeTime: 22,
  writeDate: 24,
  clusterLow: 26,
  fileSize: 28,
} as const;

/** Offsets inside an LFN entry; the name is split over three UCS-2 runs. */
export const LFN = {
  order: 0,
  name1: 1,
  attributes: 11,
  type: 12,
  checksum: 13,
  name2: 14,
  cluster: 26,
  name3: 28,
  LAST: 0x40,
  CHARS: 13,
} as const;
const LFN_CHAR_OFFSETS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];

export const ATTR = {
  readOnly: 0x01,
  hidden: 0x02,
  system: 0x04,
  volumeLabel: 0x08,
  directory: 0x10,
  archive: 0x20,
  longName: 0x0f,
} as const;

export const DELETED = 0xe5;
export const END_OF_DIRECTORY = 0x00;

export interface DirectoryEntry {
  /** The long name if valid LFN entries precede the 8.3 entry, else the 8.3 name. */
  name: string;
  shortName: string;
  shortRaw: Uint8Array;
  attributes: number;
  caseFlags: number;
  startCluster: number;
  size: number;
  modified: Date;
  created: Date;
  /** Slot index of the first LFN entry (or of the 8.3 entry when there are none). */
  firstSlot: number;
  /** Slot index of the 8.3 entry. */
  shortSlot: number;
  /**
   * A long name that belongs to this entry (sequence and checksum right) but that no FAT implementation
   * may create — a `/`, a control character, `..` — and that would turn into a path if taken as a name.
   * The 8.3 name stands in for it; `firstSlot` still covers its LFN entries, which go with the entry.
   */
  rejectedLongName?: string;
}

export interface ParsedDirectory {
  entries: DirectoryEntry[];
  /** Slot index of the end marker, or the slot count when there is none. */
  endSlot: number;
  /** The volume label entry, if this is a root directory that has one. */
  label: string | undefined;
  /** Slots of long-name entries that belong to no 8.3 entry (left by a delete cut between its writes). */
  orphans: number[];
}

/** Characters a long name may not hold besides control characters: `/` and `\\` would read as a path. */
const LONG_NAME_FORBIDDEN = new Set(['"', '*', '/', ':', '<', '>', '?', '\\', '|']);

function acceptableLongName(name: string): boolean {
  if (name === '.' || name === '..') return false;
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || LONG_NAME_FORBIDDEN.has(char)) return false;
  }
  return true;
}

/**
 * Parses a directory's bytes. Stray or inconsistent LFN entries (wrong order, wrong checksum) are
 * ignored and the 8.3 name is used, as every FAT implementation does after a crash mid-update; they are
 * listed as orphans so that a check can report (and a repair remove) them.
 */
export function parseDirectory(bytes: Uint8Array): ParsedDirectory {
  const entries: DirectoryEntry[] = [];
  const orphans: number[] = [];
  const slotCount = Math.floor(bytes.length / ENTRY_SIZE);
  let label: string | undefined;
  let lfn: { parts: string[]; expected: number; checksum: number; firstSlot: number } | undefined;
  let pending: number[] = [];
  const dropPending = () => {
    for (const slot of pending) orphans.push(slot);
    pending = [];
    lfn = undefined;
  };
  for (let slot = 0; slot < slotCount; slot++) {
    const entry = bytes.subarray(slot * ENTRY_SIZE, slot * ENTRY_SIZE + ENTRY_SIZE);
    const first = u8(entry, 0);
    if (first === END_OF_DIRECTORY) {
      dropPending();
      return { entries, endSlot: slot, label, orphans };
    }
    const attributes = u8(entry, DIR.attributes);
    if (first === DELETED) {
      dropPending();
      continue;
    }
    if ((attributes & 0x3f) === ATTR.longName) {
      const order = first & 0x3f;
      if (first & LFN.LAST) {
        dropPending();
        lfn =
          order >= 1 && order <= 20
            ? { parts: [], expected: order, checksum: u8(entry, LFN.checksum), firstSlot: slot }
            : undefined;
      } else if (!lfn || lfn.checksum !== u8(entry, LFN.checksum)) {
        dropPending();
        orphans.push(slot);
        continue;
      }
      if (!lfn || order !== lfn.expected) {
        dropPending();
        orphans.push(slot);
        continue;
      }
      pending.push(slot);
      lfn.parts.unshift(lfnChars(entry));
      lfn.expected--;
      continue;
    }
    const shortRaw = entry.slice(0, 11);
    if (attributes & ATTR.volumeLabel) {
      if (!(attributes & ATTR.directory)) label ??= String.fromCharCode(...shortRaw).trimEnd();
      dropPending();
      continue;
    }
    const caseFlags = u8(entry, DIR.caseFlags);
    const shortName = displayShortName(shortRaw, caseFlags);
    const belongs = lfn !== undefined && lfn.expected === 0 && lfn.checksum === lfnChecksum(shortRaw);
    const longName = belongs ? (lfn as { parts: string[] }).parts.join('') : undefined;
    const rejected = longName !== undefined && longName !== '' && !acceptableLongName(longName);
    if (!belongs) dropPending();
    const parsed: DirectoryEntry = {
      name: (!rejected && longName) || shortName,
      shortName,
      shortRaw,
      attributes,
      caseFlags,
      startCluster: (u16(entry, DIR.clusterHigh) << 16) + u16(entry, DIR.clusterLow),
      size: u32(entry, DIR.fileSize),
      modified: fromDosDateTime(u16(entry, DIR.writeDate), u16(entry, DIR.writeTime)),
      created: fromDosDateTime(u16(entry, DIR.createDate), u16(entry, DIR.createTime)),
      firstSlot: belongs ? (lfn as { firstSlot: number }).firstSlot : slot,
      shortSlot: slot,
    };
    if (rejected) parsed.rejectedLongName = longName;
    entries.push(parsed);
    pending = [];
    lfn = undefined;
  }
  dropPending();
  return { entries, endSlot: slotCount, label, orphans };
}

function lfnChars(entry: Uint8Array): string {
  let text = '';
  for (const offset of LFN_CHAR_OFFSETS) {
    const code = u16(entry, offset);
    if (code === 0x0000 || code === 0xffff) break;
    text += String.fromCharCode(code);
  }
  return text;
}

export interface NewEntry {
  longName: string | undefined;
  shortRaw: Uint8Array;
  caseFlags: number;
  attributes: number;
  startCluster: number;
  size: number;
  created: Date;
  modified: Date;
}

/** The LFN entries (if any) followed by the 8.3 entry, ready to be placed in consecutive slots. */
export function encodeEntries(entry: NewEntry): Uint8Array {
  const units = entry.longName ?? '';
  const lfnCount = entry.longName ? Math.ceil(units.length / LFN.CHARS) : 0;
  const out = new Uint8Array((lfnCount + 1) * ENTRY_SIZE);
  const checksum = lfnChecksum(entry.shortRaw);
  for (let i = 0; i < lfnCount; i++) {
    const order = lfnCount - i; // the last part comes first on disk
    const slot = out.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE);
    slot[LFN.order] = order | (i === 0 ? LFN.LAST : 0);
    slot[LFN.attributes] = ATTR.longName;
    slot[LFN.checksum] = checksum;
    const from = (order - 1) * LFN.CHARS;
    LFN_CHAR_OFFSETS.forEach((offset, k) => {
      const at = from + k;
      setU16(slot, offset, at < units.length ? units.charCodeAt(at) : at === units.length ? 0x0000 : 0xffff);
    });
  }
  writeShortEntry(out.subarray(lfnCount * ENTRY_SIZE), entry);
  return out;
}

export function writeShortEntry(slot: Uint8Array, entry: Omit<NewEntry, 'longName'>): void {
  slot.fill(0, 0, ENTRY_SIZE);
  slot.set(entry.shortRaw.subarray(0, 11), DIR.name);
  slot[DIR.attributes] = entry.attributes;
  slot[DIR.caseFlags] = entry.caseFlags;
  const created = toDosDateTime(entry.created);
  const modified = toDosDateTime(entry.modified);
  slot[DIR.createTimeTenth] = created.tenths;
  setU16(slot, DIR.createTime, created.time);
  setU16(slot, DIR.createDate, created.date);
  setU16(slot, DIR.accessDate, modified.date);
  setU16(slot, DIR.writeTime, modified.time);
  setU16(slot, DIR.writeDate, modified.date);
  setStartCluster(slot, entry.startCluster);
  setU32(slot, DIR.fileSize, entry.size);
}

export function setStartCluster(slot: Uint8Array, cluster: number): void {
  setU16(slot, DIR.clusterHigh, cluster >>> 16);
  setU16(slot, DIR.clusterLow, cluster & 0xffff);
}

/** FAT stores local time from 1980 to 2107 in two-second steps. */
export function toDosDateTime(when: Date): { date: number; time: number; tenths: number } {
  const year = Math.min(2107, Math.max(1980, when.getFullYear()));
  const date = ((year - 1980) << 9) | ((when.getMonth() + 1) << 5) | when.getDate();
  const time = (when.getHours() << 11) | (when.getMinutes() << 5) | (when.getSeconds() >> 1);
  const tenths = (when.getSeconds() % 2) * 100 + Math.floor(when.getMilliseconds() / 10);
  return { date, time, tenths };
}

export function fromDosDateTime(date: number, time: number): Date {
  const year = 1980 + (date >> 9);
  const month = Math.max(1, (date >> 5) & 0xf);
  const day = Math.max(1, date & 0x1f);
  return new Date(year, month - 1, day, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2);
}
