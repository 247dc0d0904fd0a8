/** The batch screen's store: the batch being set up, its cards' live progress, and the report history. */
import { create } from 'zustand';
import type {
  ApiError,
  BatchCardRecord,
  BatchHistoryEntry,
  JobProgress,
  KeydiskChoice,
} from '../../../shared/api.js';
import { api, asApiError } from '../api/api.js';

export type BatchKeydisk = 'none' | 'new' | 'template';
/** A batch onto the cards chosen now, or a station that takes cards as they are inserted. */
export type BatchMode = 'batch' | 'station';
export type StationOnly = 'any' | 'empty' | 'astlinux';

interface BatchState {
  /** The batch screen is showing (it sits beside the Cards/Prepare places). */
  shown: boolean;
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
  jobId: string | null;
  running: boolean;
  results: BatchCardRecord[] | null;
  /** The latest progress of each card of the running batch, by card id. */
  progress: Record<string, JobProgress>;
  history: BatchHistoryEntry[];
  error: ApiError | null;
  exported: string | null;
  show(shown: boolean): void;
  set(
    fields: Partial<
      Pick<
        BatchState,
        | 'name'
        | 'images'
        | 'keydisk'
        | 'templatePath'
        | 'csvPath'
        | 'mode'
        | 'count'
        | 'minGb'
        | 'maxGb'
        | 'only'
      >
    >,
  ): void;
  toggle(cardId: string): void;
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

export const useBatch = create<BatchState>((set, get) => ({
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
  set: (fields) => set(fields),
  toggle: (cardId) =>
    set((state) => ({
      chosen: state.chosen.includes(cardId)
        ? state.chosen.filter((id) => id !== cardId)
        : [...state.chosen, cardId],
    })),
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
}));

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
    useBatch.setState({ running: false });
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
  };
}
