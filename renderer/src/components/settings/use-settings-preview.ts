/**
 * The preview of a settings change, asked of the app as the user types: shortly after the last key, and
 * only the answer to the latest question is kept (an older reply arriving late is ignored).
 */
import { useEffect, useRef, useState } from 'react';
import type { ApiError, SettingsBase, SettingsChanges, SettingsPreview } from '../../../../shared/api.js';
import { api, asApiError } from '../../api/api.js';

const QUIET_MS = 150;

export interface PreviewState {
  preview: SettingsPreview | null;
  /** The preview shown is for what was typed (no question on the way). */
  current: boolean;
  error: ApiError | null;
}

export function useSettingsPreview(base: SettingsBase, changes: SettingsChanges): PreviewState {
  const [state, setState] = useState<PreviewState>({ preview: null, current: false, error: null });
  const asked = useRef(0);
  // The change as text: a new object with the same content is the same question.
  const key = JSON.stringify(changes);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `changes`, compared by content.
  useEffect(() => {
    const question = ++asked.current;
    setState((now) => ({ ...now, current: false }));
    const timer = setTimeout(() => {
      api()
        .previewSettings(base, changes)
        .then(
          (preview) => {
            if (question === asked.current) setState({ preview, current: true, error: null });
          },
          (error: unknown) => {
            if (question === asked.current)
              setState({ preview: null, current: true, error: asApiError(error) });
          },
        );
    }, QUIET_MS);
    return () => clearTimeout(timer);
  }, [base, key]);
  return state;
}
