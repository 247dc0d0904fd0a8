/**
 * Long operations the window can follow (progress events) and cancel, by the job id it chose. Each card of
 * a job gets one overall figure computed from the job's plan (shared/progress.ts), and the cards a job
 * works on are known, so the Cards list and a card's page can show that job instead of a stale state.
 */
import type { CardJob, CardJobKind, JobProgress } from '../../shared/api.js';
import {
  type CardStepPhase,
  type OverallProgress,
  overallProgress,
  type PhaseWeight,
  type Progress,
} from '../../shared/progress.js';

/** Where a card of a batch or station stands between write phases (see CardStepPhase). */
export interface CardStep {
  phase: CardStepPhase;
  done: number;
  total: number;
  item?: string;
}

export interface JobContext {
  signal: AbortSignal;
  /** Reports one card's progress: a phase of its work, or its step in a batch. */
  progressFor(cardId: string): (progress: Progress | CardStep) => void;
  /** What the overall figure is computed from: for every card of the job, or for one. */
  plan(phases: PhaseWeight[], cardId?: string): void;
  /** The job works on this card from now on (a station's cards arrive while it runs)… */
  claim(cardId: string): void;
  /** …and no longer. Every card is let go when the job ends. */
  release(cardId: string): void;
}

export interface JobOptions {
  kind?: CardJobKind;
  /** The cards the job works on from its start. */
  cards?: string[];
}

const STEPS = new Set<string>(['waiting', 'writing', 'done', 'failed', 'refused', 'station']);

export class Jobs {
  private readonly running = new Map<string, AbortController>();
  /** Each running job's end (settled either way), so a shutdown can wait for every one. */
  private readonly ends = new Map<string, Promise<unknown>>();
  private readonly onCards = new Map<string, CardJob>();

  constructor(
    private readonly emit: (progress: JobProgress) => void,
    /** The cards being worked on changed: the card list says so. */
    private readonly cardsChanged: () => void = () => {},
  ) {}

  /** The job working on this card now, if any. */
  onCard(cardId: string): CardJob | undefined {
    return this.onCards.get(cardId);
  }

  /** Runs `work` under the job id, with its cancel signal, progress reporters and plan. */
  async run<T>(jobId: string, work: (job: JobContext) => Promise<T>, options: JobOptions = {}): Promise<T> {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    const plans = new Map<string | undefined, PhaseWeight[]>();
    const trackers = new Map<string, { tracker: OverallProgress; last: number }>();
    const claimed = new Set<string>();
    const claim = (cardId: string) => {
      if (!options.kind) return;
      claimed.add(cardId);
      this.onCards.set(cardId, { jobId, kind: options.kind });
      this.cardsChanged();
    };
    const release = (cardId: string) => {
      if (!claimed.delete(cardId)) return;
      if (this.onCards.get(cardId)?.jobId === jobId) this.onCards.delete(cardId);
      this.cardsChanged();
    };
    const trackerFor = (cardId: string) => {
      let entry = trackers.get(cardId);
      if (!entry) {
        entry = { tracker: overallProgress(plans.get(cardId) ?? plans.get(undefined) ?? []), last: 0 };
        trackers.set(cardId, entry);
      }
      return entry;
    };
    for (const cardId of options.cards ?? []) claim(cardId);
    let ended: () => void = () => {};
    this.ends.set(
      jobId,
      new Promise<void>((resolve) => {
        ended = resolve;
      }),
    );
    try {
      return await work({
        signal: controller.signal,
        plan: (phases, cardId) => {
          plans.set(cardId, phases);
          // A plan given again (a station's next card in a slot) starts that card's figure afresh.
          if (cardId !== undefined) trackers.delete(cardId);
          else trackers.clear();
        },
        claim,
        release,
        progressFor: (cardId) => (progress) => {
          const entry = trackerFor(cardId);
          entry.last = STEPS.has(progress.phase)
            ? stepFigure(progress as CardStep, entry.last)
            : entry.tracker.update(progress as Progress);
          this.emit({ ...progress, jobId, cardId, overall: entry.last });
        },
      });
    } finally {
      this.running.delete(jobId);
      this.ends.delete(jobId);
      for (const cardId of [...claimed]) release(cardId);
      ended();
    }
  }

  cancel(jobId: string): void {
    this.running.get(jobId)?.abort();
  }

  /** How many jobs are running now. */
  get count(): number {
    return this.running.size;
  }

  /** Cancels every running job and resolves once each has stopped at its next safe point. */
  async stopAll(): Promise<void> {
    const ends = [...this.ends.values()];
    for (const controller of this.running.values()) controller.abort();
    await Promise.all(ends);
  }
}

/** A card's step as a figure: done is whole, a refused card never started, a failed one stays where it got. */
function stepFigure(step: CardStep, last: number): number {
  switch (step.phase) {
    case 'done':
      return 1;
    case 'refused':
      return 0;
    case 'station':
      return step.total > 0 ? Math.min(1, step.done / step.total) : 0;
    default:
      return last;
  }
}
