/** The system's file dialogs for each thing the window asks the user to choose. */
import type {
  OpenDialogOptions,
  OpenDialogReturnValue,
  SaveDialogOptions,
  SaveDialogReturnValue,
} from 'electron';
import type { PickPurpose } from '../../shared/api.js';

const IMAGE_FILTERS = [
  { name: 'AstLinux images and archives', extensions: ['img', 'gz', 'tgz', 'zip'] },
  { name: 'All files', extensions: ['*'] },
];

export async function pickerFor(
  purpose: PickPurpose,
  showOpen: (options: OpenDialogOptions) => Promise<OpenDialogReturnValue>,
  showSave: (options: SaveDialogOptions) => Promise<SaveDialogReturnValue>,
): Promise<string[] | null> {
  if (purpose === 'save-keydisk') {
    const saved = await showSave({ title: 'Save the keydisk as', defaultPath: 'kd.img' });
    return saved.canceled || !saved.filePath ? null : [saved.filePath];
  }
  const options: Record<Exclude<PickPurpose, 'save-keydisk'>, OpenDialogOptions> = {
    image: {
      title: 'Choose AstLinux images',
      properties: ['openFile', 'multiSelections'],
      filters: IMAGE_FILTERS,
    },
    'card-image': {
      title: 'Open a card image',
      properties: ['openFile'],
      filters: [
        { name: 'Card images', extensions: ['img', 'bin', 'raw'] },
        { name: 'All files', extensions: ['*'] },
      ],
    },
    keydisk: {
      title: 'Choose a keydisk',
      properties: ['openFile'],
      filters: [{ name: 'Keydisk', extensions: ['img'] }],
    },
    'publish-folder': {
      title: 'Choose the folder to publish into',
      properties: ['openDirectory', 'createDirectory'],
    },
  };
  const opened = await showOpen(options[purpose]);
  return opened.canceled || opened.filePaths.length === 0 ? null : opened.filePaths;
}
