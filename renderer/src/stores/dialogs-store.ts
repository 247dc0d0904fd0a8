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

/** A file to choose in the window's own file browser (a browser has no system dialog to show). */
export interface PickRequest {
  purpose: PickPurpose;
  /** For saving: the file name proposed. */
  suggestedName?: string;
}

interface DialogsState {
  confirm: (ConfirmRequest & { resolve(answer: string | null): void }) | null;
  pick: (PickRequest & { resolve(paths: string[] | null): void }) | null;
}

export const useDialogs = create<DialogsState>(() => ({ confirm: null, pick: null }));

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

/**
 * The system's file dialog under Electron; in a browser, the window's own file browser, which lists the
 * computer's folders through the API (home first, recent folders, filtered for what is being chosen).
 * Null when nothing was chosen.
 */
export async function choosePaths(purpose: PickPurpose, suggestedName?: string): Promise<string[] | null> {
  if (appInfo().nativeDialogs) return api().pickPath(purpose, suggestedName);
  const paths = await new Promise<string[] | null>((resolve) =>
    useDialogs.setState({
      pick: {
        purpose,
        ...(suggestedName ? { suggestedName } : {}),
        resolve: (chosen) => {
          useDialogs.setState({ pick: null });
          resolve(chosen && chosen.length > 0 ? chosen : null);
        },
      },
    }),
  );
  // Next time, the folders just used are offered first; losing that list costs nothing but a click.
  if (paths)
    void api()
      .rememberFolders(paths)
      .catch(() => undefined);
  return paths;
}
