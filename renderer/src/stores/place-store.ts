/** Where the user is: the Cards list, one card, or the Prepare steps. */
import { create } from 'zustand';

export type Place = 'cards' | 'card' | 'prepare';

export const usePlace = create<{ place: Place; go(place: Place): void }>((set) => ({
  place: 'cards',
  go: (place) => set({ place }),
}));
