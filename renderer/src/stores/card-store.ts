/**
 * The selected card store: what the Card view shows and the actions on it. Opening a card is a quick look
 * first (instant), then a full check of every image, as the loader would do it, with progress.
 */
import { create } from 'zustand';
import type { ApiError, CardJob, CardJobKind, CardRepair, CardView } from '../../../shared/api.js';
import { api, asApiError, newJobId } from '../api/api.js';
import { useCards } from './cards-store.js';
import { usePlace } from './place-store.js';

export interface Busy {
  label: string;
  jobId: string | null;
  /** Its Cancel belongs here; a batch's is on the Batch screen, and checking a card cannot be stopped. */
  cancellable: boolean;
  /** What happens next, when the job was found running on the card rather than started here. */
  note?: string;
}

/** A job found running on a card when its page opens, as the page shows it. */
const FOUND: Record<CardJobKind, { label: string; cancellable: boolean; note: string }> = {
  add: { label: 'Adding images', cancellable: true, note: 'The card is read again when this is done.' },
  prepare: {
    label: 'Erasing and preparing this card',
    cancellable: true,
    note: 'The card is read again when this is done.',
  },
  'loader-update': {
    label: 'Updating the loader',
    cancellable: true,
    note: 'The card is read again when this is done.',
  },
  repair: {
    label: 'Repairing the file system',
    cancellable: false,
    note: 'The card is read again when this is done.',
  },
  revert: {
    label: 'Going back to the previous release',
    cancellable: true,
    note: 'The card is read again when this is done.',
  },
  verify: { label: 'Checking images', cancellable: false, note: 'The result shows here when it is done.' },
  batch: {
    label: 'Written by a batch',
    cancellable: false,
    note: 'The batch can be stopped on the Batch screen. The card is read again when it is done.',
  },
  station: {
    label: 'Written by the station',
    cancellable: false,
    note: 'The station can be stopped on the Batch screen. The card is read again when it is done.',
  },
  try: {
    label: 'Being tried in a test machine',
    cancellable: true,
    note: 'Nothing on the card changes. The card is read again when the try is over.',
  },
};

/** Resolves once the card is no longer worked on by that job (or is gone from the list). */
function jobEnds(cardId: string, jobId: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const card = useCards.getState().cards.find((each) => each.id === cardId);
      return card?.job?.jobId !== jobId;
    };
    if (check()) {
      resolve();
      return;
    }
    const stop = useCards.subscribe(() => {
      if (!check()) return;
      stop();
      resolve();
    });
  });
}

interface CardState {
  id: string | null;
  view: CardView | null;
  loading: boolean;
  verifyJob: string | null;
  busy: Busy | null;
  error: ApiError | null;
  notice: string | null;
  /** What the last repair of this card did, until the card is left or something else is done to it. */
  repaired: Omit<CardRepair, 'view'> | null;
  open(id: string): Promise<void>;
  verify(): Promise<void>;
  addSources(sources: string[]): Promise<void>;
  remove(name: string): Promise<void>;
  createKeydisk(replace: boolean): Promise<void>;
  importKeydisk(path: string, replace: boolean): Promise<void>;
  updateLoader(): Promise<void>;
  /** Back to the release the card ran before its last upgrade (view.revert). */
  revert(): Promise<void>;
  repair(): Promise<void>;
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
    set({ busy: { label, jobId, cancellable: jobId !== null }, error: null, notice: null, repaired: null });
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
    repaired: null,
    async open(id) {
      const job: CardJob | undefined = useCards.getState().cards.find((card) => card.id === id)?.job;
      // Coming back to the same card keeps what the last change to it said (it failed, or what it did).
      const same = get().id === id;
      set({
        id,
        view: null,
        loading: job === undefined,
        error: same ? get().error : null,
        notice: same ? get().notice : null,
        repaired: same ? get().repaired : null,
        busy: job ? { jobId: job.jobId, ...FOUND[job.kind] } : null,
        verifyJob: null,
      });
      usePlace.getState().go('card');
      if (job) {
        // Reading the card now would wait behind the job (one piece of work per card): show the job
        // instead, and read the card when it is done.
        await jobEnds(id, job.jobId);
        if (get().id !== id) return;
        if (get().busy?.jobId === job.jobId) set({ busy: null });
        // The window that started the job may still be here, and have shown the card as the job left it.
        if (get().view !== null) return;
        set({ loading: true });
      }
      try {
        const view = await api().inspectCard(id);
        if (get().id !== id) return;
        set({ view, loading: false });
        // The window that started a job on this card may have begun checking it already.
        if (view.astlinux && view.images.length > 0 && get().verifyJob === null) await get().verify();
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
    async revert() {
      const id = get().id;
      const to = get().view?.revert?.to;
      if (!id || !to) return;
      const jobId = newJobId('revert');
      await act(
        `Going back to ${to}`,
        jobId,
        () => api().revertCard(id, jobId),
        `Switched the card back to ${to}, after checking it against its checksum. Its newer release stays on the card.`,
      );
    },
    async repair() {
      const id = get().id;
      if (!id) return;
      // The card list shows the repair job on this card; there is no progress to follow (short, not
      // cancellable), so the page says what is being done in words.
      const jobId = newJobId('repair');
      set({
        busy: { label: 'Repairing the file system', jobId: null, cancellable: false },
        error: null,
        notice: null,
        repaired: null,
      });
      try {
        const { view, ...outcome } = await api().repairCard(id, jobId);
        if (get().id !== id) return;
        set({ busy: null, view, repaired: outcome });
        if (view.astlinux && view.images.length > 0) await get().verify();
      } catch (error) {
        if (get().id === id) set({ busy: null, error: asApiError(error) });
      }
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
    dismiss: () => set({ error: null, notice: null, repaired: null }),
  };
});
