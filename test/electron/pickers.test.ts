// The desktop app's system file dialogs are built from the same table as the browser mode's file browser
// (shared/file-pickers.ts): same titles, one or several files, folders, saving under a proposed name, and
// filters Electron can apply (it matches the last extension only, so .tar.gz is offered as gz).
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { describe, expect, test } from 'vitest';
import { pickerFor } from '../../electron/window/pickers.js';
import type { PICKERS } from '../../shared/file-pickers.js';

/** Runs pickerFor against stand-in dialogs that record what they were asked and answer `paths`. */
async function ask(purpose: keyof typeof PICKERS, paths: string[] | null, suggested?: string) {
  const asked: { open?: OpenDialogOptions; save?: SaveDialogOptions } = {};
  const chosen = await pickerFor(
    purpose,
    async (options) => {
      asked.open = options;
      return { canceled: paths === null, filePaths: paths ?? [] };
    },
    async (options) => {
      asked.save = options;
      return { canceled: paths === null, filePath: paths?.[0] ?? '' };
    },
    suggested,
  );
  return { chosen, ...asked };
}

describe('the system file dialogs', () => {
  test('images: several files, images and archives first, then everything', async () => {
    const { chosen, open, save } = await ask('image', ['/a/AstLinux-1.5.10.img', '/a/b.tar.gz']);
    expect(chosen).toEqual(['/a/AstLinux-1.5.10.img', '/a/b.tar.gz']);
    expect(save).toBeUndefined();
    expect(open).toEqual({
      title: 'Choose AstLinux images',
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'AstLinux images and archives', extensions: ['img', 'run', 'gz', 'tgz', 'zip'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
  });

  test('a CSV is one file; a folder choice has no file filters and may make the folder', async () => {
    expect((await ask('csv', ['/x/cards.csv'])).open).toMatchObject({
      properties: ['openFile'],
      filters: [{ name: 'CSV files', extensions: ['csv'] }, { extensions: ['*'] }],
    });
    const folder = await ask('publish-folder', ['/srv/tftp']);
    expect(folder.chosen).toEqual(['/srv/tftp']);
    expect(folder.open).toEqual({
      title: 'Choose the folder to publish into',
      properties: ['openDirectory', 'createDirectory'],
    });
  });

  test('saving proposes the caller’s name, else the table’s; cancelling chooses nothing', async () => {
    const report = await ask('save-report', ['/r/batch-1.json'], 'batch-1.json');
    expect(report.chosen).toEqual(['/r/batch-1.json']);
    expect(report.save).toMatchObject({ title: 'Save the batch report as', defaultPath: 'batch-1.json' });
    expect((await ask('save-keydisk', ['/k/kd.img'])).save).toMatchObject({ defaultPath: 'kd.img' });
    expect((await ask('save-keydisk', null)).chosen).toBeNull();
    expect((await ask('card-image', null)).chosen).toBeNull();
  });
});
