/** The drives store: every card, drive and opened image file, kept current by the main process's events. */
import { create } from 'zustand';
import type { ApiError, CardSummary } from '../../../shared/api.js';
import { api, asApiError } from '../api/api.js';

interface CardsState {
  cards: CardSummary[];
  loaded: boolean;
  showAll: boolean;
  error: ApiError | null;
  setShowAll(showAll: boolean): void;
  openImage(path: string): Promise<CardSummary | null>;
  createImage(path: string, size: number): Promise<CardSummary | null>;
}

export const useCards = create<CardsState>((set) => ({
  cards: [],
  loaded: false,
  showAll: false,
  error: null,
  setShowAll: (showAll) => set({ showAll }),
  async openImage(path) {
    try {
      const card = await api().openCardImage(path);
      set({ error: null });
      return card;
    } catch (error) {
      set({ error: asApiError(error) });
      return null;
    }
  },
  async createImage(path, size) {
    try {
      const card = await api().createCardImage(path, size);
      set({ error: null });
      return card;
    } catch (error) {
      set({ error: asApiError(error) });
      return null;
    }
  },
}));

export function visibleCards(state: Pick<CardsState, 'cards' | 'showAll'>): CardSummary[] {
  return state.showAll ? state.cards : state.cards.filter((card) => !card.hidden);
}

/** Starts following the card list; called once when the app starts. */
export async function watchCards(): Promise<void> {
  api().onCardsChanged((cards) => useCards.setState({ cards, loaded: true }));
  try {
    useCards.setState({ cards: await api().listCards(), loaded: true });
  } catch (error) {
    useCards.setState({ error: asApiError(error), loaded: true });
  }
}
