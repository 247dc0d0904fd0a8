/** Signed images: the keys the shown card trusts, who signed each of its images, and changing the keys. */
import { create } from 'zustand';
import type { ApiError, CardTrust } from '../../../shared/api.js';
import { api, asApiError } from '../api/api.js';
import { useCard } from './card-store.js';

interface TrustState {
  cardId: string | null;
  trust: CardTrust | null;
  saving: boolean;
  error: ApiError | null;
  notice: string | null;
  load(cardId: string): Promise<void>;
  change(changes: { add?: string[]; remove?: string[] }, done: string): Promise<boolean>;
  dismiss(): void;
}

export const useTrust = create<TrustState>((set, get) => ({
  cardId: null,
  trust: null,
  saving: false,
  error: null,
  notice: null,
  async load(cardId) {
    if (get().cardId !== cardId) set({ cardId, trust: null, error: null, notice: null, saving: false });
    try {
      const trust = await api().readTrust(cardId);
      if (get().cardId === cardId) set({ trust });
    } catch (error) {
      if (get().cardId === cardId) set({ error: asApiError(error) });
    }
  },
  async change(changes, done) {
    const cardId = get().cardId;
    if (!cardId) return false;
    set({ saving: true, error: null, notice: null });
    try {
      const trust = await api().changeKeys(cardId, changes);
      if (get().cardId === cardId) set({ trust, saving: false, notice: done });
      // The keys decide which image boots (a signed one is preferred): the card view predicts again.
      if (useCard.getState().id === cardId) void useCard.getState().verify();
      return true;
    } catch (error) {
      if (get().cardId === cardId) set({ saving: false, error: asApiError(error) });
      return false;
    }
  },
  dismiss: () => set({ error: null, notice: null }),
}));
