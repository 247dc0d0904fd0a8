/** The batch screen's store: the batch being set up, its cards' live progress, and the report history. */
import { create } from 'zustand';
import type { ApiError, BatchCardRecord, BatchHistoryEntry, JobProgress } from '../../../shared/api.js';
import { api, asApiError } from '../api/api.js';

export type BatchKeydisk = 'none' | 'new' | 'template';

interface BatchState {
  /** The batch screen is showing (it sits beside the Cards/Prepare places). */
  shown: boolean;
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
  set(fields: Partial<Pick<BatchState, 'name' | 'images' | 'keydisk' | 'templatePath' | 'csvPath'>>): void;
  toggle(cardId: string): void;
  start(): Promise<void>;
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
    const jobId = `batch-${Date.now()}`;
    set({ jobId, running: true, results: null, progress: {}, error: null, exported: null });
    try {
      const results = await api().runBatch({
        jobId,
        name: state.name,
        cards: state.chosen,
        images: lines(state.images),
        keydisk:
          state.keydisk === 'template'
            ? { mode: 'import', path: state.templatePath.trim() }
            : { mode: state.keydisk },
        ...(state.csvPath.trim() ? { csvPath: state.csvPath.trim() } : {}),
      });
      set({ results });
    } catch (error) {
      set({ error: asApiError(error) });
    } finally {
      set({ running: false });
      await get().loadHistory();
    }
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
