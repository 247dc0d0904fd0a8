/**
 * What each "choose a file" in the window offers, by purpose: its title, whether it opens files, a folder
 * or saves, and which files it lists. One table for Electron's system dialogs (electron/window/pickers.ts)
 * and for the window's own file browser in `astcard ui` (electron/service/file-browser.ts), so both show
 * the same files. ES5 library only, like the rest of shared/.
 */
import type { FileFilterId, PickPurpose } from './api.js';

export interface FileFilter {
  name: string;
  /** Lower-case name endings, dot included; 'all' lets every file through, 'none' lists folders only. */
  endings: string[] | 'all' | 'none';
}

export const FILE_FILTERS: { [id in FileFilterId]: FileFilter } = {
  // What stageSources takes: images, real releases (.run, .tar.gz), and the archives images come in.
  images: {
    name: 'AstLinux images and archives',
    endings: ['.img', '.run', '.tar.gz', '.tgz', '.zip'],
  },
  'card-images': { name: 'Card images', endings: ['.img', '.bin', '.raw'] },
  keydisks: { name: 'Keydisks (kd.img)', endings: ['.img'] },
  csv: { name: 'CSV files', endings: ['.csv'] },
  reports: { name: 'Reports (CSV or JSON)', endings: ['.csv', '.json'] },
  'public-keys': { name: 'Public keys (signify .pub)', endings: ['.pub'] },
  folders: { name: 'Folders', endings: 'none' },
  all: { name: 'All files', endings: 'all' },
};

export interface PickerSpec {
  title: string;
  /** open: existing files; folder: one folder; save: a new file's name in a folder. */
  mode: 'open' | 'folder' | 'save';
  multiple: boolean;
  /** The filters offered, the first one shown at first. */
  filters: FileFilterId[];
  /** For save: the name proposed when the caller suggests none. */
  defaultName?: string;
  /** One sentence under the title: what to choose. */
  hint: string;
}

export const PICKERS: { [purpose in PickPurpose]: PickerSpec } = {
  image: {
    title: 'Choose AstLinux images',
    mode: 'open',
    multiple: true,
    filters: ['images', 'all'],
    hint: 'An AstLinux image (AstLinux-1.5.10.img), a release (astlinux-1.5.10.tar.gz), or a .zip holding one. You may tick several.',
  },
  'card-image': {
    title: 'Open a card image',
    mode: 'open',
    multiple: false,
    filters: ['card-images', 'all'],
    hint: 'A card image file made by astcard or copied from a card.',
  },
  keydisk: {
    title: 'Choose a keydisk',
    mode: 'open',
    multiple: false,
    filters: ['keydisks', 'all'],
    hint: 'A keydisk file (kd.img) holding an AstLinux system’s settings.',
  },
  'save-keydisk': {
    title: 'Save the keydisk as',
    mode: 'save',
    multiple: false,
    filters: ['keydisks', 'all'],
    defaultName: 'kd.img',
    hint: 'Choose a folder and a file name for the copy of the keydisk.',
  },
  'publish-folder': {
    title: 'Choose the folder to publish into',
    mode: 'folder',
    multiple: false,
    filters: ['folders'],
    hint: 'The folder your web, FTP, TFTP or NFS server serves.',
  },
  csv: {
    title: 'Choose the per-card values',
    mode: 'open',
    multiple: false,
    filters: ['csv', 'all'],
    hint: 'A CSV file with one row per card (hostname, ip, gateway…).',
  },
  'save-report': {
    title: 'Save the batch report as',
    mode: 'save',
    multiple: false,
    filters: ['reports', 'all'],
    defaultName: 'report.csv',
    hint: 'Choose a folder and a file name; the report is written as CSV or JSON, as chosen beside the button.',
  },
  'public-key': {
    title: 'Choose a public key to trust',
    mode: 'open',
    multiple: true,
    filters: ['public-keys', 'all'],
    hint: 'A publisher’s public key file (.pub), as made by signify -G or astcard key new. Never the secret key (.sec).',
  },
};

/** Whether a file of this name passes the filter (folders are never filtered). */
export function fileMatches(name: string, filter: FileFilterId): boolean {
  const endings = FILE_FILTERS[filter].endings;
  if (endings === 'all') return true;
  if (endings === 'none') return false;
  const lower = name.toLowerCase();
  for (let i = 0; i < endings.length; i++) {
    const ending = endings[i] as string;
    if (lower.length > ending.length && lower.slice(lower.length - ending.length) === ending) return true;
  }
  return false;
}
