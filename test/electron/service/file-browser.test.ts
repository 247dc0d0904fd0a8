// The window's own file browser (astcard ui): one real folder at a time, folders first and numbers in
// names in order, filtered by what is being chosen, hidden files and broken links left out, errors in
// words, and recent folders kept in a file across restarts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createFileBrowser, MAX_ENTRIES } from '../../../electron/service/file-browser.js';
import { fileMatches } from '../../../shared/file-pickers.js';

const root = mkdtempSync(join(tmpdir(), 'astcard-files-'));
const home = join(root, 'home');
const recentFile = join(root, 'state', 'recent-folders.json');
mkdirSync(join(home, 'Downloads'), { recursive: true });
mkdirSync(join(home, 'cards 2'));
mkdirSync(join(home, 'cards 10'));
mkdirSync(join(home, '.config'));
for (const name of [
  'AstLinux-1.5.10.img',
  'AstLinux-1.5.9.img',
  'astlinux-1.5.11.tar.gz',
  'astlinux-1.5.11.tar.gz.sha1',
  'release.ZIP',
  'cards.csv',
  'notes.txt',
  '.hidden.img',
]) {
  writeFileSync(join(home, name), name);
}
symlinkSync(join(home, 'Downloads'), join(home, 'link to downloads'));
symlinkSync(join(home, 'gone'), join(home, 'broken.img'));

afterAll(() => rmSync(root, { recursive: true, force: true }));

const names = (listing: { entries: Array<{ name: string }> }) => listing.entries.map((entry) => entry.name);

describe('the file browser', () => {
  test('starts at home: folders first, then the images and archives, numbers in order', async () => {
    const browser = createFileBrowser({ home, recentFile });
    const listing = await browser.listFolder(null, 'images');
    expect(listing.path).toBe(home);
    expect(listing.parent).toBe(root);
    expect(names(listing)).toEqual([
      'cards 2',
      'cards 10',
      'Downloads',
      'link to downloads',
      'AstLinux-1.5.9.img',
      'AstLinux-1.5.10.img',
      'astlinux-1.5.11.tar.gz',
      'release.ZIP',
    ]);
    // cards.csv, notes.txt and the .sha1 are there but not images; the broken link and .hidden.img are not counted.
    expect(listing.filteredOut).toBe(3);
    expect(listing.truncated).toBe(false);
    expect(listing.places[0]).toEqual({ label: 'Home', path: home });
    const image = listing.entries.find((entry) => entry.name === 'AstLinux-1.5.10.img');
    expect(image).toMatchObject({
      kind: 'file',
      size: 'AstLinux-1.5.10.img'.length,
      path: join(home, 'AstLinux-1.5.10.img'),
    });
    expect(Date.parse(image?.modified ?? '')).not.toBeNaN();
  });

  test('each filter lets through its own files, and folder choices list folders only', async () => {
    const browser = createFileBrowser({ home, recentFile });
    const files = async (filter: Parameters<typeof browser.listFolder>[1]) =>
      (await browser.listFolder(home, filter)).entries
        .filter((entry) => entry.kind === 'file')
        .map((entry) => entry.name);
    expect(await files('csv')).toEqual(['cards.csv']);
    expect(await files('keydisks')).toEqual(['AstLinux-1.5.9.img', 'AstLinux-1.5.10.img']);
    expect(await files('folders')).toEqual([]);
    expect((await files('all')).length).toBe(7);
    expect(fileMatches('kd.IMG', 'keydisks')).toBe(true);
    expect(fileMatches('.img', 'images')).toBe(false);
    expect(fileMatches('astlinux-1.5.10.run', 'images')).toBe(true);
  });

  test('says in words why a folder cannot be listed', async () => {
    const browser = createFileBrowser({ home, recentFile });
    await expect(browser.listFolder(join(home, 'nowhere'), 'all')).rejects.toMatchObject({
      code: 'folder-unreadable',
      message: `There is no folder ${join(home, 'nowhere')}.`,
    });
    await expect(browser.listFolder(join(home, 'notes.txt'), 'all')).rejects.toMatchObject({
      message: `${join(home, 'notes.txt')} is a file, not a folder.`,
    });
    await expect(browser.listFolder('relative/path', 'all')).rejects.toMatchObject({
      code: 'folder-unreadable',
      message: expect.stringMatching(/^Type a full path/),
    });
    await expect(browser.listFolder(home, 'toString' as never)).rejects.toMatchObject({ code: 'bad-call' });
    const top = await browser.listFolder('/', 'folders');
    expect(top.parent).toBeNull();
  });

  test('lists the first entries of a huge folder and says there are more', async () => {
    const huge = join(root, 'huge');
    mkdirSync(huge);
    for (let i = 0; i < MAX_ENTRIES + 5; i++) writeFileSync(join(huge, `f${i}.img`), '');
    const listing = await createFileBrowser({ home, recentFile }).listFolder(huge, 'images');
    expect(listing.entries.length).toBe(MAX_ENTRIES);
    expect(listing.truncated).toBe(true);
  });

  test('remembers the folders files were chosen from, newest first, across restarts', async () => {
    const browser = createFileBrowser({ home, recentFile });
    expect((await browser.listFolder(null, 'all')).recent).toEqual([]);
    await browser.rememberFolders([join(home, 'AstLinux-1.5.10.img'), join(home, 'cards.csv')]);
    await browser.rememberFolders([join(home, 'Downloads'), join(home, 'cards 2', 'report.csv')]);
    expect((await browser.listFolder(null, 'all')).recent).toEqual([
      join(home, 'Downloads'),
      join(home, 'cards 2'),
      home,
    ]);
    // A new start reads the same list back; a folder that has gone since is not offered.
    rmSync(join(home, 'cards 2'), { recursive: true });
    const again = createFileBrowser({ home, recentFile });
    expect((await again.listFolder(null, 'all')).recent).toEqual([join(home, 'Downloads'), home]);
    expect(JSON.parse(readFileSync(recentFile, 'utf8'))).toContain(join(home, 'cards 2'));
    for (let i = 0; i < 12; i++) {
      mkdirSync(join(root, `r${i}`));
      await again.rememberFolders([join(root, `r${i}`)]);
    }
    const recent = (await again.listFolder(null, 'all')).recent;
    expect(recent.length).toBe(8);
    expect(recent[0]).toBe(join(root, 'r11'));
  });

  test('a damaged list of recent folders starts a new one', async () => {
    const damaged = join(root, 'damaged.json');
    writeFileSync(damaged, '{ not json');
    const browser = createFileBrowser({ home, recentFile: damaged });
    expect((await browser.listFolder(null, 'all')).recent).toEqual([]);
    await browser.rememberFolders([join(home, 'notes.txt')]);
    expect(JSON.parse(readFileSync(damaged, 'utf8'))).toEqual([home]);
  });
});
