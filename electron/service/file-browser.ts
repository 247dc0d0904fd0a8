/**
 * The window's own file browser, server side (used by `astcard ui`, where the window is a browser page and
 * has no system file dialog): one folder listed at a time, filtered by what is being chosen, and the
 * folders files were chosen from lately, kept in a small file so they survive a restart.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, parse, resolve } from 'node:path';
import type { FileFilterId, FolderEntry, FolderListing } from '../../shared/api.js';
import { FILE_FILTERS, fileMatches } from '../../shared/file-pickers.js';
import { AppError } from './app-error.js';

/** A folder of tens of thousands of files is not browsed by eye; the path field reaches the rest. */
export const MAX_ENTRIES = 2000;
const MAX_RECENT = 8;

export interface FileBrowserOptions {
  /** Where browsing starts; the user's home folder by default. */
  home?: string;
  /** The file the recent folders are kept in. */
  recentFile?: string;
}

export interface FileBrowser {
  listFolder(path: string | null, filter: FileFilterId): Promise<FolderListing>;
  rememberFolders(paths: string[]): Promise<void>;
}

export function createFileBrowser(options: FileBrowserOptions = {}): FileBrowser {
  const home = options.home ?? homedir();
  const recentFile = options.recentFile ?? join(home, '.astcard', 'recent-folders.json');
  let recent: string[] | null = null;

  const loadRecent = async (): Promise<string[]> => {
    if (recent) return recent;
    try {
      const parsed = JSON.parse(await readFile(recentFile, 'utf8')) as unknown;
      recent = Array.isArray(parsed)
        ? parsed.filter((entry): entry is string => typeof entry === 'string' && isAbsolute(entry))
        : [];
    } catch {
      // No list yet, or a damaged one: recent folders are a convenience, start a new list.
      recent = [];
    }
    return recent;
  };

  return {
    async listFolder(path, filter) {
      if (!Object.hasOwn(FILE_FILTERS, filter))
        throw new AppError('bad-call', `Unknown file filter ${String(filter)}.`);
      if (path !== null && (typeof path !== 'string' || !isAbsolute(path))) {
        throw new AppError('folder-unreadable', `Type a full path, starting at the top (like ${home}).`);
      }
      const folder = resolve(path ?? home);
      const { entries, filteredOut, truncated } = await readFolder(folder, filter);
      const top = parse(folder).root === folder;
      return {
        path: folder,
        parent: top ? null : dirname(folder),
        entries,
        filteredOut,
        truncated,
        places: places(home),
        recent: (await loadRecent()).filter((entry) => existsSync(entry)),
      };
    },

    async rememberFolders(paths) {
      if (!Array.isArray(paths)) throw new AppError('bad-call', 'rememberFolders takes a list of paths.');
      const folders: string[] = [];
      for (const path of paths) {
        if (typeof path !== 'string' || !isAbsolute(path)) continue;
        const info = await stat(path).catch(() => null);
        // A file chosen, or a file about to be saved (not there yet): its folder is the one to remember.
        const folder = info?.isDirectory() ? resolve(path) : dirname(resolve(path));
        if (!folders.includes(folder)) folders.push(folder);
      }
      const list = [...folders, ...(await loadRecent()).filter((entry) => !folders.includes(entry))];
      recent = list.slice(0, MAX_RECENT);
      try {
        await mkdir(dirname(recentFile), { recursive: true });
        const temporary = `${recentFile}.${process.pid}.tmp`;
        await writeFile(temporary, `${JSON.stringify(recent, null, 2)}\n`);
        await rename(temporary, recentFile);
      } catch {
        // A read-only home keeps the list for this run only; choosing the file still worked.
      }
    },
  };
}

async function readFolder(
  folder: string,
  filter: FileFilterId,
): Promise<{ entries: FolderEntry[]; filteredOut: number; truncated: boolean }> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => !name.startsWith('.'));
  } catch (error) {
    throw folderError(folder, error);
  }
  const folders: FolderEntry[] = [];
  const files: FolderEntry[] = [];
  let filteredOut = 0;
  for (const name of names) {
    const path = join(folder, name);
    // stat, not lstat: a link to a folder is browsed like a folder; a broken link is left out.
    const info = await stat(path).catch(() => null);
    if (!info) continue;
    if (info.isDirectory()) {
      folders.push({ name, path, kind: 'folder', size: null, modified: info.mtime.toISOString() });
    } else if (!fileMatches(name, filter)) {
      filteredOut += 1;
    } else {
      files.push({ name, path, kind: 'file', size: info.size, modified: info.mtime.toISOString() });
    }
  }
  const byName = (a: FolderEntry, b: FolderEntry) =>
    a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  const entries = [...folders.sort(byName), ...files.sort(byName)];
  return { entries: entries.slice(0, MAX_ENTRIES), filteredOut, truncated: entries.length > MAX_ENTRIES };
}

function folderError(folder: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code === 'ENOENT'
      ? `There is no folder ${folder}.`
      : code === 'ENOTDIR'
        ? `${folder} is a file, not a folder.`
        : code === 'EACCES' || code === 'EPERM'
          ? `You may not open ${folder}.`
          : `${folder} could not be read.`;
  return new AppError('folder-unreadable', message, { detail: String(error) });
}

/** Where files usually are: home first, then where this system mounts USB sticks and cards. */
function places(home: string): Array<{ label: string; path: string }> {
  const found = [{ label: 'Home', path: home }];
  const user = safeUserName();
  const media =
    process.platform === 'darwin'
      ? ['/Volumes']
      : process.platform === 'win32'
        ? [...'DEFGHIJKLMNOPQRSTUVWXYZ'].map((letter) => `${letter}:\\`)
        : [user ? `/media/${user}` : null, user ? `/run/media/${user}` : null, '/media', '/mnt'];
  for (const path of media) {
    if (path && existsSync(path) && !found.some((place) => place.path === path)) {
      found.push({ label: process.platform === 'win32' ? `Drive ${path.slice(0, 2)}` : path, path });
    }
  }
  return found;
}

function safeUserName(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
