/**
 * The system's file dialogs for each thing the window asks the user to choose. What each offers (title,
 * filters) comes from shared/file-pickers.ts, the table the browser mode's own file browser uses too.
 */
import type {
  FileFilter,
  OpenDialogOptions,
  OpenDialogReturnValue,
  SaveDialogOptions,
  SaveDialogReturnValue,
} from 'electron';
import type { PickPurpose } from '../../shared/api.js';
import { FILE_FILTERS, PICKERS } from '../../shared/file-pickers.js';

export async function pickerFor(
  purpose: PickPurpose,
  showOpen: (options: OpenDialogOptions) => Promise<OpenDialogReturnValue>,
  showSave: (options: SaveDialogOptions) => Promise<SaveDialogReturnValue>,
  suggestedName?: string,
): Promise<string[] | null> {
  const spec = PICKERS[purpose];
  const filters = dialogFilters(spec.filters);
  if (spec.mode === 'save') {
    const saved = await showSave({
      title: spec.title,
      defaultPath: suggestedName ?? spec.defaultName ?? '',
      ...(filters.length > 0 ? { filters } : {}),
    });
    return saved.canceled || !saved.filePath ? null : [saved.filePath];
  }
  const properties: OpenDialogOptions['properties'] =
    spec.mode === 'folder'
      ? ['openDirectory', 'createDirectory']
      : spec.multiple
        ? ['openFile', 'multiSelections']
        : ['openFile'];
  const opened = await showOpen({
    title: spec.title,
    properties,
    ...(filters.length > 0 ? { filters } : {}),
  });
  return opened.canceled || opened.filePaths.length === 0 ? null : opened.filePaths;
}

/**
 * Electron's filters match the last extension only, so `.tar.gz` is offered as `gz` (the dialog then shows
 * any .gz; astcard says what it cannot read once chosen). A folder picker has no file filters.
 */
function dialogFilters(ids: (keyof typeof FILE_FILTERS)[]): FileFilter[] {
  const filters: FileFilter[] = [];
  for (const id of ids) {
    const { name, endings } = FILE_FILTERS[id];
    if (endings === 'none') continue;
    const extensions =
      endings === 'all' ? ['*'] : [...new Set(endings.map((ending) => ending.split('.').pop() ?? ''))];
    filters.push({ name, extensions });
  }
  return filters;
}
