/**
 * The selected card store: what the Card view shows and the actions on it. Opening a card is a quick look
 * first (instant), then a full check of every image, as the loader would do it, with progress.
 */
import { create } from 'zustand';
import type { ApiError, CardView } from '../../../shared/api.js';
import { api, asApiError, newJobId } from '../api/api.js';
import { usePlace } from './place-store.js';

export interface Busy {
  label: string;
  jobId: string | null;
}

interface CardState {
  id: string | null;
  view: CardView | null;
  loading: boolean;
  verifyJob: string | null;
  busy: Busy | null;
  error: ApiError | null;
  notice: string | null;
  open(id: string): Promise<void>;
  verify(): Promise<void>;
  addSources(sources: string[]): Promise<void>;
  remove(name: string): Promise<void>;
  createKeydisk(replace: boolean): Promise<void>;
  importKeydisk(path: string, replace: boolean): Promise<void>;
  updateLoader(): Promise<void>;
  exportKeydisk(path: string): Promise<void>;
  eject(): Promise<void>;
  dismiss(): void;
}

export const useCard = create<CardState>((set, get) => {
  /** Runs a change to the card; its result replaces the view only if the same card is still shown. */
  async function act(
    label: string,
    jobId: string | null,
    work: () => Promise<CardView | null>,
    done: string,
  ) {
    const id = get().id;
    set({ busy: { label, jobId }, error: null, notice: null });
    try {
      const view = await work();
      if (get().id !== id) return;
      set({ busy: null, notice: done, ...(view ? { view } : {}) });
      if (view) await get().verify();
    } catch (error) {
      if (get().id === id) set({ busy: null, error: asApiError(error) });
    }
  }

  return {
    id: null,
    view: null,
    loading: false,
    verifyJob: null,
    busy: null,
    error: null,
    notice: null,
    async open(id) {
      set({ id, view: null, loading: true, error: null, notice: null, busy: null, verifyJob: null });
      usePlace.getState().go('card');
      try {
        const view = await api().inspectCard(id);
        if (get().id !== id) return;
        set({ view, loading: false });
        if (view.astlinux && view.images.length > 0) await get().verify();
      } catch (error) {
        if (get().id === id) set({ loading: false, error: asApiError(error) });
      }
    },
    async verify() {
      const id = get().id;
      if (!id) return;
      const jobId = newJobId('verify');
      set({ verifyJob: jobId });
      try {
        const view = await api().verifyCard(id, jobId);
        if (get().id === id) set({ view, verifyJob: null });
      } catch (error) {
        if (get().id === id) set({ verifyJob: null, error: asApiError(error) });
      }
    },
    async addSources(sources) {
      const cardId = get().id;
      if (!cardId || sources.length === 0) return;
      const jobId = newJobId('add');
      const names = sources.map((source) => source.split(/[\\/]/).pop() ?? source).join(', ');
      await act(
        `Adding ${names}`,
        jobId,
        () => api().addImages({ jobId, cardId, sources }),
        `Added ${names}: written and read back.`,
      );
    },
    async remove(name) {
      const id = get().id;
      if (id) await act(`Removing ${name}`, null, () => api().removeImage(id, name), `Removed ${name}.`);
    },
    async createKeydisk(replace) {
      const id = get().id;
      if (id)
        await act(
          'Making a new keydisk',
          null,
          () => api().createKeydisk(id, replace),
          'A new, empty keydisk is on the card.',
        );
    },
    async importKeydisk(path, replace) {
      const id = get().id;
      if (id)
        await act(
          'Copying the keydisk',
          null,
          () => api().importKeydisk(id, path, replace),
          'The keydisk is on the card.',
        );
    },
    async updateLoader() {
      const id = get().id;
      if (!id) return;
      const jobId = newJobId('loader');
      await act(
        'Updating the loader',
        jobId,
        () => api().updateLoader(id, jobId),
        'The loader is up to date; the previous one is kept as a fallback.',
      );
    },
    async exportKeydisk(path) {
      const id = get().id;
      if (id)
        await act(
          'Saving the keydisk',
          null,
          () =>
            api()
              .exportKeydisk(id, path)
              .then(() => null),
          `The keydisk was saved as ${path}.`,
        );
    },
    async eject() {
      const id = get().id;
      if (!id) return;
      try {
        await api().eject(id);
        set({ id: null, view: null, notice: null });
        usePlace.getState().go('cards');
      } catch (error) {
        set({ error: asApiError(error) });
      }
    },
    dismiss: () => set({ error: null, notice: null }),
  };
});
