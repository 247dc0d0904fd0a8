/**
 * The batch screen's store: the batch being set up (kept for the window's session, so leaving or reloading
 * the page loses nothing typed), what its name and CSV would go on from, its cards' live progress, and the
 * report history.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type {
  ApiError,
  BatchCardRecord,
  BatchCheck,
  BatchHistoryEntry,
  JobProgress,
  KeydiskChoice,
} from '../../../shared/api.js';
import { api, asApiError } from '../api/api.js';

export type BatchKeydisk = 'none' | 'new' | 'template';
/** A batch onto the cards chosen now, or a station that takes cards as they are inserted. */
export type BatchMode = 'batch' | 'station';
export type StationOnly = 'any' | 'empty' | 'astlinux';

/** What the user typed and chose: the part of the store kept across a reload. */
interface BatchForm {
  mode: BatchMode;
  /** Station rules, as typed: cards to make, size range in GB (blank: no bound), which cards. */
  count: string;
  minGb: string;
  maxGb: string;
  only: StationOnly;
  name: string;
  images: string;
  keydisk: BatchKeydisk;
  templatePath: string;
  csvPath: string;
  chosen: string[];
  /** The name has a report already, and the user said to add these cards to it. */
  addToReport: boolean;
}

interface BatchState extends BatchForm {
  /** The batch screen is showing (it sits beside the Cards/Prepare places). */
  shown: boolean;
  /** What the name and CSV would go on from (a report kept under that name, rows left); null: not known. */
  check: BatchCheck | null;
  /** Why the name or CSV cannot be checked (the CSV cannot be read…). */
  checkError: string | null;
  jobId: string | null;
  running: boolean;
  results: BatchCardRecord[] | null;
  /** The latest progress of each card of the running batch, by card id. */
  progress: Record<string, JobProgress>;
  history: BatchHistoryEntry[];
  error: ApiError | null;
  exported: string | null;
  show(shown: boolean): void;
  set(fields: Partial<Omit<BatchForm, 'chosen'>>): void;
  toggle(cardId: string): void;
  /** Asks the app what this name and CSV (the ones typed now) would go on from. */
  recheck(name: string, csvPath: string): Promise<void>;
  start(): Promise<void>;
  startStation(): Promise<void>;
  cancel(): Promise<void>;
  loadHistory(): Promise<void>;
  exportReport(name: string, path: string, format: 'csv' | 'json'): Promise<void>;
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

export const useBatch = create<BatchState>()(
  persist(
    (set, get) => ({
      shown: false,
      mode: 'batch',
      count: '10',
      minGb: '',
      maxGb: '',
      only: 'any',
      name: defaultName(),
      images: '',
      keydisk: 'none',
      templatePath: '',
      csvPath: '',
      chosen: [],
      addToReport: false,
      check: null,
      checkError: null,
      jobId: null,
      running: false,
      results: null,
      progress: {},
      history: [],
      error: null,
      exported: null,
      show: (shown) => {
        set({ shown });
        if (shown) void get().loadHistory();
      },
      // Another name or CSV is another question: the answer "add to that report" was for the old one.
      set: (fields) =>
        set(
          fields.name !== undefined || fields.csvPath !== undefined
            ? { ...fields, addToReport: fields.addToReport ?? false, check: null, checkError: null }
            : fields,
        ),
      toggle: (cardId) =>
        set((state) => ({
          chosen: state.chosen.includes(cardId)
            ? state.chosen.filter((id) => id !== cardId)
            : [...state.chosen, cardId],
        })),
      async recheck(name, csvPath) {
        if (name.trim() === '') {
          set({ check: null, checkError: null });
          return;
        }
        try {
          const check = await api().checkBatch(name, csvPath.trim() || undefined);
          if (get().name === name && get().csvPath === csvPath) set({ check, checkError: null });
        } catch (error) {
          if (get().name === name && get().csvPath === csvPath)
            set({ check: null, checkError: asApiError(error).message });
        }
      },
      async start() {
        const state = get();
        await runJob('batch', (jobId) => api().runBatch({ jobId, ...common(state), cards: state.chosen }));
      },
      async startStation() {
        const state = get();
        const gb = (text: string) => (text.trim() === '' ? undefined : Math.round(Number(text) * 1e9));
        const minBytes = gb(state.minGb);
        const maxBytes = gb(state.maxGb);
        await runJob('station', (jobId) =>
          api().runStation({
            jobId,
            ...common(state),
            count: Number(state.count),
            ...(minBytes !== undefined ? { minBytes } : {}),
            ...(maxBytes !== undefined ? { maxBytes } : {}),
            only: state.only,
          }),
        );
      },
      async cancel() {
        const { jobId } = get();
        if (jobId) await api().cancelJob(jobId);
      },
      async loadHistory() {
        try {
          set({ history: await api().batchHistory() });
        } catch (error) {
          set({ error: asApiError(error) });
        }
      },
      async exportReport(name, path, format) {
        try {
          await api().exportBatchReport(name, path, format);
          set({ exported: path, error: null });
        } catch (error) {
          set({ error: asApiError(error) });
        }
      },
    }),
    {
      name: 'astcard-batch-form',
      // For the window's session: a reload keeps the form, a new start of the app begins afresh.
      storage: createJSONStorage(() => sessionStorage),
      partialize: (state): BatchForm => ({
        mode: state.mode,
        count: state.count,
        minGb: state.minGb,
        maxGb: state.maxGb,
        only: state.only,
        name: state.name,
        images: state.images,
        keydisk: state.keydisk,
        templatePath: state.templatePath,
        csvPath: state.csvPath,
        chosen: state.chosen,
        addToReport: state.addToReport,
      }),
    },
  ),
);

function keydiskChoice(state: Pick<BatchState, 'keydisk' | 'templatePath'>): KeydiskChoice {
  return state.keydisk === 'template'
    ? { mode: 'import', path: state.templatePath.trim() }
    : { mode: state.keydisk };
}

function defaultName(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `batch-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
}

/** Follows the running batch's per-card progress; returns the function that stops following. */
export function watchBatchProgress(): () => void {
  return api().onProgress((progress) => {
    if (progress.jobId !== useBatch.getState().jobId) return;
    useBatch.setState((state) => ({ progress: { ...state.progress, [progress.cardId]: progress } }));
  });
}

/** Runs a batch or a station: its results or its error are kept, and the history reloaded after. */
async function runJob(kind: 'batch' | 'station', call: (jobId: string) => Promise<BatchState['results']>) {
  const jobId = `${kind}-${Date.now()}`;
  useBatch.setState({ jobId, running: true, results: null, progress: {}, error: null, exported: null });
  try {
    useBatch.setState({ results: await call(jobId) });
  } catch (error) {
    useBatch.setState({ error: asApiError(error) });
  } finally {
    // The name's report now holds these cards: going on under it is a new question.
    useBatch.setState({ running: false, addToReport: false, check: null });
    await useBatch.getState().loadHistory();
  }
}

/** What a batch and a station request share: the batch's name, images, keydisk and CSV. */
function common(state: BatchState) {
  return {
    name: state.name,
    images: lines(state.images),
    keydisk: keydiskChoice(state),
    ...(state.csvPath.trim() ? { csvPath: state.csvPath.trim() } : {}),
    ...(state.addToReport ? { addToReport: true } : {}),
  };
}
