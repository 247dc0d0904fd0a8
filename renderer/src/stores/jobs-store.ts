/** The jobs store: the latest progress of each running job, by the id the window gave it. */
import { create } from 'zustand';
import type { JobProgress } from '../../../shared/api.js';
import { api } from '../api/api.js';

interface JobsState {
  progress: Record<string, JobProgress>;
  /** The latest progress of each card of a job, for a job that writes several cards at once. */
  perCard: Record<string, Record<string, JobProgress>>;
  /** Jobs the user asked to stop (the core stops at the next safe point). */
  cancelling: Record<string, true>;
  cancel(jobId: string): Promise<void>;
  forget(jobId: string): void;
}

export const useJobs = create<JobsState>((set) => ({
  progress: {},
  perCard: {},
  cancelling: {},
  async cancel(jobId) {
    set((state) => ({ cancelling: { ...state.cancelling, [jobId]: true } }));
    await api().cancelJob(jobId);
  },
  forget(jobId) {
    set((state) => {
      const { [jobId]: _gone, ...progress } = state.progress;
      const { [jobId]: _cards, ...perCard } = state.perCard;
      const { [jobId]: _was, ...cancelling } = state.cancelling;
      return { progress, perCard, cancelling };
    });
  },
}));

export function watchJobs(): void {
  api().onProgress((progress) =>
    useJobs.setState((state) => ({
      progress: { ...state.progress, [progress.jobId]: progress },
      perCard: {
        ...state.perCard,
        [progress.jobId]: { ...state.perCard[progress.jobId], [progress.cardId]: progress },
      },
    })),
  );
}
