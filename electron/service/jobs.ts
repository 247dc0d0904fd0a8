/** Long operations the window can follow (progress events) and cancel, by the job id it chose. */
import type { JobProgress } from '../../shared/api.js';
import type { Progress } from '../core/card/progress.js';

export class Jobs {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly emit: (progress: JobProgress) => void) {}

  /** Runs `work` under the job id, with its cancel signal and a progress reporter for one card. */
  async run<T>(
    jobId: string,
    work: (job: {
      signal: AbortSignal;
      progressFor: (cardId: string) => (progress: Progress | Omit<JobProgress, 'jobId' | 'cardId'>) => void;
    }) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      return await work({
        signal: controller.signal,
        progressFor: (cardId) => (progress) => this.emit({ ...progress, jobId, cardId }),
      });
    } finally {
      this.running.delete(jobId);
    }
  }

  cancel(jobId: string): void {
    this.running.get(jobId)?.abort();
  }
}
