/**
 * The app's modal questions — "are you sure?", "which file?" — as promises, so an action reads top to
 * bottom: `if (!(await confirm(...))) return;`.
 */
import { create } from 'zustand';
import type { PickPurpose } from '../../../shared/api.js';
import { api, appInfo } from '../api/api.js';

export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  /** Set for system drives: the button stays disabled until this is typed. */
  typedName?: string;
  danger?: boolean;
}

export interface PathRequest {
  purpose: PickPurpose;
  title: string;
  hint: string;
  /** Allows several, one per line. */
  multiple: boolean;
}

interface DialogsState {
  confirm: (ConfirmRequest & { resolve(answer: string | null): void }) | null;
  path: (PathRequest & { resolve(paths: string[] | null): void }) | null;
}

export const useDialogs = create<DialogsState>(() => ({ confirm: null, path: null }));

/** Resolves to the typed name (or '' when none was needed) when confirmed, null when not. */
export function confirm(request: ConfirmRequest): Promise<string | null> {
  return new Promise((resolve) =>
    useDialogs.setState({
      confirm: {
        ...request,
        resolve: (answer) => {
          useDialogs.setState({ confirm: null });
          resolve(answer);
        },
      },
    }),
  );
}

const PATH_TEXT: Record<PickPurpose, Omit<PathRequest, 'purpose'>> = {
  image: {
    title: 'Choose AstLinux images',
    hint: 'Full path of an image (AstLinux-1.2.3.img), a .tar.gz or .zip — one per line',
    multiple: true,
  },
  'card-image': { title: 'Open a card image', hint: 'Full path of the card image file', multiple: false },
  keydisk: { title: 'Choose a keydisk', hint: 'Full path of the kd.img file', multiple: false },
  'save-keydisk': { title: 'Save the keydisk as', hint: 'Full path of the new file', multiple: false },
  'publish-folder': {
    title: 'Choose the folder to publish into',
    hint: 'Full path of the folder your web, FTP, TFTP or NFS server serves (made if missing)',
    multiple: false,
  },
};

/** The system's file dialog under Electron; a path field where there is none (the browser bridge). */
export async function choosePaths(purpose: PickPurpose): Promise<string[] | null> {
  if (appInfo().nativeDialogs) return api().pickPath(purpose);
  return new Promise((resolve) =>
    useDialogs.setState({
      path: {
        purpose,
        ...PATH_TEXT[purpose],
        resolve: (paths) => {
          useDialogs.setState({ path: null });
          resolve(paths && paths.length > 0 ? paths : null);
        },
      },
    }),
  );
}
