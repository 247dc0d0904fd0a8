/**
 * Network boot: the shown card's sources and static address as its syslinux.cfg has them, and saving new
 * ones; publishing a folder to serve, with its progress and result.
 */
import { create } from 'zustand';
import type { ApiError, NetworkSettings, PublishOutcome } from '../../../shared/api.js';
import { api, asApiError, newJobId } from '../api/api.js';

interface NetworkState {
  /** The card these settings belong to. */
  cardId: string | null;
  settings: NetworkSettings | null;
  saving: boolean;
  error: ApiError | null;
  notice: string | null;
  load(cardId: string): Promise<void>;
  save(settings: NetworkSettings): Promise<boolean>;
  dismiss(): void;
}

export const useNetwork = create<NetworkState>((set, get) => ({
  cardId: null,
  settings: null,
  saving: false,
  error: null,
  notice: null,
  async load(cardId) {
    if (get().cardId !== cardId) set({ cardId, settings: null, error: null, notice: null, saving: false });
    try {
      const settings = await api().readNetwork(cardId);
      if (get().cardId === cardId) set({ settings });
    } catch (error) {
      if (get().cardId === cardId) set({ error: asApiError(error) });
    }
  },
  async save(settings) {
    const cardId = get().cardId;
    if (!cardId) return false;
    set({ saving: true, error: null, notice: null });
    try {
      const saved = await api().setNetwork(cardId, settings);
      if (get().cardId !== cardId) return true;
      set({
        settings: saved,
        saving: false,
        notice:
          saved.urls.length === 0
            ? 'Saved: the card boots its own images only.'
            : 'Saved in the card’s syslinux.cfg: the loader reads it at the next boot.',
      });
      return true;
    } catch (error) {
      if (get().cardId === cardId) set({ saving: false, error: asApiError(error) });
      return false;
    }
  },
  dismiss: () => set({ error: null, notice: null }),
}));

interface PublishState {
  images: string[];
  folder: string;
  jobId: string | null;
  result: PublishOutcome | null;
  error: ApiError | null;
  addImages(paths: string[]): void;
  removeImage(path: string): void;
  setFolder(folder: string): void;
  publish(): Promise<void>;
  reset(): void;
}

export const usePublish = create<PublishState>((set, get) => ({
  images: [],
  folder: '',
  jobId: null,
  result: null,
  error: null,
  addImages: (paths) =>
    set((state) => ({ images: [...state.images, ...paths.filter((path) => !state.images.includes(path))] })),
  removeImage: (path) => set((state) => ({ images: state.images.filter((image) => image !== path) })),
  setFolder: (folder) => set({ folder }),
  async publish() {
    const { images, folder } = get();
    const jobId = newJobId('publish');
    set({ jobId, result: null, error: null });
    try {
      const result = await api().publishImages({ jobId, folder: folder.trim(), images });
      set({ jobId: null, result, images: [] });
    } catch (error) {
      set({ jobId: null, error: asApiError(error) });
    }
  },
  reset: () => set({ images: [], jobId: null, result: null, error: null }),
}));
