/**
 * The Cards list as the window follows it: the registry of drives and opened image files, polled while
 * someone listens, and published to every listener when it changes (hotplug shows within one poll).
 */
import type { CardJob, CardSummary } from '../../shared/api.js';
import { AppError } from './app-error.js';
import { CardRegistry } from './card-registry.js';
import type { DriveSource } from './drive-source.js';

export class CardList {
  readonly registry: CardRegistry;
  private readonly listeners = new Set<(cards: CardSummary[]) => void>();
  private lastSent = '';
  private publishing: Promise<unknown> = Promise.resolve();
  private polling = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    drives: DriveSource,
    pollMs: number,
    /** The job working on a card now: listed with the card, so every window shows it. */
    private readonly jobOn: (id: string) => CardJob | undefined = () => undefined,
  ) {
    this.registry = new CardRegistry(drives);
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  /**
   * Sends the list to every listener when it changed since the last time (or always, when forced). One at
   * a time: a slow look at a card must not let an older list arrive after a newer one.
   */
  publish(force = false): Promise<CardSummary[]> {
    const turn = this.publishing.then(async () => {
      const cards = (await this.registry.summaries()).map((card) => this.withJob(card));
      const text = JSON.stringify(cards);
      if (force || text !== this.lastSent) {
        this.lastSent = text;
        for (const listener of this.listeners) listener(cards);
      }
      return cards;
    });
    this.publishing = turn.catch(() => undefined);
    return turn;
  }

  /** The card as listed, or the plain refusal that it is gone. */
  async card(id: string): Promise<CardSummary> {
    const found = await this.registry.summary(id);
    if (!found) {
      throw new AppError(
        'card-gone',
        'That card is no longer here. Plug it back in or open its image again.',
      );
    }
    return this.withJob(found);
  }

  /** Forget what a card held (a batch wrote it), and tell every listener what it holds now. */
  async forget(ids: string[]): Promise<CardSummary[]> {
    for (const id of ids) this.registry.invalidate(id);
    return this.publish();
  }

  listen(listener: (cards: CardSummary[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private withJob(card: CardSummary): CardSummary {
    const job = this.jobOn(card.id);
    return job ? { ...card, job } : card;
  }

  private poll(): void {
    if (this.listeners.size === 0 || this.polling) return;
    this.polling = true;
    this.registry
      .refreshDrives()
      .then((changed) => (changed ? this.publish() : undefined))
      .catch(() => undefined)
      .finally(() => {
        this.polling = false;
      });
  }
}
