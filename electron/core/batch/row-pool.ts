/**
 * Hands out CSV rows so that no row ever goes onto two cards: rows already used (from a previous run of
 * the same batch) are skipped, a row is held while its card is written, and goes back only if that card
 * failed — a failed card is not shipped, so its hostname is still free.
 */
import type { CardValues } from './card-values.js';

export class RowPool {
  private readonly held = new Set<string>();

  constructor(
    private readonly rows: CardValues[],
    private readonly used: Set<string> = new Set(),
  ) {}

  claim(): CardValues | null {
    const row = this.rows.find((candidate) => !this.used.has(candidate.id) && !this.held.has(candidate.id));
    if (row) this.held.add(row.id);
    return row ?? null;
  }

  markUsed(row: CardValues): void {
    this.held.delete(row.id);
    this.used.add(row.id);
  }

  release(row: CardValues): void {
    this.held.delete(row.id);
  }

  get remaining(): number {
    return this.rows.filter((row) => !this.used.has(row.id) && !this.held.has(row.id)).length;
  }

  get usedCount(): number {
    return this.rows.filter((row) => this.used.has(row.id)).length;
  }
}
