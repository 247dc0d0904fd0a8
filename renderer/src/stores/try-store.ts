/**
 * "Try this card": one test boot at a time, its console as it arrives (the loader's lines kept apart, the
 * raw serial kept to its last RAW_KEEP lines), and its outcome beside the prediction.
 */
import { create } from 'zustand';
import type { ApiError, TryConsole, TryFirmware, TryOutcome, TryStage } from '../../../shared/api.js';
import { api, asApiError, newJobId } from '../api/api.js';

/** The raw console lines the window keeps; the log file keeps them all. */
export const RAW_KEEP = 1000;

export interface TryRun {
  cardId: string;
  jobId: string;
  firmware: TryFirmware;
  /** When the user asked (ms, performance clock). */
  startedAt: number;
  /** How far the boot got; null while the prediction is being computed (no machine yet). */
  stage: TryStage | null;
  loaderLines: string[];
  raw: string[];
  /** Raw lines that scrolled out of the window's copy. */
  trimmed: number;
  /** Lines the app left out to keep the window responsive. */
  dropped: number;
  result: TryOutcome | null;
  error: ApiError | null;
  cancelling: boolean;
}

interface TryState {
  run: TryRun | null;
  start(cardId: string, firmware: TryFirmware): Promise<void>;
  cancel(): Promise<void>;
  /** Forgets a finished try (its log stays on disk). */
  clear(): void;
}

let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  api().onTryConsole((slice) => useTry.setState((state) => ({ run: withSlice(state.run, slice) })));
}

export function withSlice(run: TryRun | null, slice: TryConsole): TryRun | null {
  if (!run || run.jobId !== slice.jobId) return run;
  const raw = run.raw.concat(slice.lines.map((line) => line.text));
  const over = Math.max(0, raw.length - RAW_KEEP);
  return {
    ...run,
    stage: slice.stage,
    loaderLines: run.loaderLines.concat(slice.lines.filter((line) => line.loader).map((line) => line.text)),
    raw: over > 0 ? raw.slice(over) : raw,
    trimmed: run.trimmed + over,
    dropped: run.dropped + slice.dropped,
  };
}

export function isRunning(run: TryRun | null): boolean {
  return run !== null && run.result === null && run.error === null;
}

export const useTry = create<TryState>((set, get) => ({
  run: null,
  async start(cardId, firmware) {
    if (isRunning(get().run)) return;
    listen();
    const jobId = newJobId('try');
    set({
      run: {
        cardId,
        jobId,
        firmware,
        startedAt: performance.now(),
        stage: null,
        loaderLines: [],
        raw: [],
        trimmed: 0,
        dropped: 0,
        result: null,
        error: null,
        cancelling: false,
      },
    });
    const update = (patch: Partial<TryRun>) =>
      set((state) => (state.run?.jobId === jobId ? { run: { ...state.run, ...patch } } : state));
    try {
      const result = await api().tryCard({ jobId, cardId, firmware });
      // The last console slice can arrive just after the reply: the result's own loader lines are complete.
      update({ result, stage: result.stage, loaderLines: result.loaderLines });
    } catch (error) {
      update({ error: asApiError(error) });
    }
  },
  async cancel() {
    const run = get().run;
    if (!run || !isRunning(run)) return;
    set({ run: { ...run, cancelling: true } });
    await api().cancelJob(run.jobId);
  },
  clear: () => set((state) => (isRunning(state.run) ? state : { run: null })),
}));
