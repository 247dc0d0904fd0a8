/** What callers see of a directory entry: names, kind, size, attributes, times. */
import { ATTR, type DirectoryEntry } from './directory-entry.js';

export interface FatAttributes {
  readOnly: boolean;
  hidden: boolean;
  system: boolean;
  archive: boolean;
}

export interface FatStat {
  /** The long name (or the 8.3 name when there is no long name). */
  name: string;
  /** The 8.3 alias as stored ("LDLINUX.SYS", "LONGFI~1.TXT"); empty for the root. */
  shortName: string;
  isDirectory: boolean;
  isFile: boolean;
  size: number;
  attributes: FatAttributes;
  modified: Date;
  created: Date;
  /** First data cluster; 0 for empty files (and the FAT12/16 root). */
  firstCluster: number;
}

export function applyAttributes(current: number, change: Partial<FatAttributes> | undefined): number {
  let value = current;
  const flip = (bit: number, on: boolean | undefined) => {
    if (on === true) value |= bit;
    if (on === false) value &= ~bit;
  };
  flip(ATTR.readOnly, change?.readOnly);
  flip(ATTR.hidden, change?.hidden);
  flip(ATTR.system, change?.system);
  flip(ATTR.archive, change?.archive);
  return value;
}

export function toStat(entry: DirectoryEntry): FatStat {
  const isDirectory = (entry.attributes & ATTR.directory) !== 0;
  return {
    name: entry.name,
    shortName: entry.shortName,
    isDirectory,
    isFile: !isDirectory,
    size: isDirectory ? 0 : entry.size,
    attributes: {
      readOnly: (entry.attributes & ATTR.readOnly) !== 0,
      hidden: (entry.attributes & ATTR.hidden) !== 0,
      system: (entry.attributes & ATTR.system) !== 0,
      archive: (entry.attributes & ATTR.archive) !== 0,
    },
    modified: entry.modified,
    created: entry.created,
    firstCluster: entry.startCluster,
  };
}

export function rootStat(): FatStat {
  const epoch = new Date(1980, 0, 1);
  return {
    name: '/',
    shortName: '',
    isDirectory: true,
    isFile: false,
    size: 0,
    attributes: { readOnly: false, hidden: false, system: false, archive: false },
    modified: epoch,
    created: epoch,
    firstCluster: 0,
  };
}
