/**
 * The PBX settings: the form's model (read once), the shown card's keydisk settings, and saving a change.
 * Every verdict on a value comes from the app's settings model through the API, never from here.
 */
import { create } from 'zustand';
import type {
  ApiError,
  SettingsChanges,
  SettingsModel,
  SettingsSaved,
  SettingsView,
} from '../../../shared/api.js';
import { api, asApiError } from '../api/api.js';

let model: Promise<SettingsModel> | null = null;

/** The common settings and time zones; asked for once, they do not change while the app runs. */
export function settingsModel(): Promise<SettingsModel> {
  model ??= api()
    .settingsModel()
    .catch((error: unknown) => {
      model = null;
      throw error;
    });
  return model;
}

interface SettingsState {
  cardId: string | null;
  view: SettingsView | null;
  loading: boolean;
  saving: boolean;
  error: ApiError | null;
  notice: string | null;
  load(cardId: string): Promise<void>;
  save(changes: SettingsChanges): Promise<boolean>;
  dismiss(): void;
}

export const useSettings = create<SettingsState>((set, get) => ({
  cardId: null,
  view: null,
  loading: false,
  saving: false,
  error: null,
  notice: null,
  async load(cardId) {
    if (get().cardId !== cardId) {
      set({ cardId, view: null, error: null, notice: null, saving: false });
    }
    set({ loading: true });
    try {
      const view = await api().readSettings({ cardId });
      if (get().cardId === cardId) set({ view, loading: false });
    } catch (error) {
      if (get().cardId === cardId) set({ loading: false, error: asApiError(error) });
    }
  },
  async save(changes) {
    const cardId = get().cardId;
    if (!cardId) return false;
    set({ saving: true, error: null, notice: null });
    try {
      const saved = await api().changeSettings(cardId, changes);
      if (get().cardId !== cardId) return true;
      set({ view: saved.settings, saving: false, notice: savedNotice(saved) });
      return true;
    } catch (error) {
      if (get().cardId === cardId) set({ saving: false, error: asApiError(error) });
      return false;
    }
  },
  dismiss: () => set({ error: null, notice: null }),
}));

function savedNotice(saved: SettingsSaved): string {
  if (saved.changes.length === 0) return 'Nothing to save: the keydisk already says this.';
  const names = saved.changes.map((change) => change.name).join(', ');
  return `Saved ${names} in ${saved.file.replace(/^\//, '')} on the card’s keydisk, and read back. AstLinux reads it when it starts.`;
}
