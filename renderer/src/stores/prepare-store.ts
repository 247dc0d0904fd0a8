/** The Prepare steps: images → cards → options → (set up this PBX) → go → result. */
import { create } from 'zustand';
import type {
  ApiError,
  CardSummary,
  KeydiskChoice,
  PreparedCard,
  SettingsChanges,
} from '../../../shared/api.js';
import { api, asApiError, newJobId } from '../api/api.js';
import { confirm } from './dialogs-store.js';

export type PrepareStep = 'images' | 'cards' | 'options' | 'setup' | 'running' | 'done';

interface PrepareState {
  step: PrepareStep;
  images: string[];
  cards: string[];
  keydisk: KeydiskChoice;
  layout: 'mbr' | 'superfloppy';
  /** "Set up this PBX": the settings to write into the keydisk; null when the step was left alone. */
  settings: SettingsChanges | null;
  jobId: string | null;
  results: PreparedCard[] | null;
  error: ApiError | null;
  setStep(step: PrepareStep): void;
  addImages(paths: string[]): void;
  removeImage(path: string): void;
  toggleCard(id: string): void;
  setKeydisk(choice: KeydiskChoice): void;
  setLayout(layout: 'mbr' | 'superfloppy'): void;
  setSettings(settings: SettingsChanges | null): void;
  start(allCards: CardSummary[]): Promise<void>;
  /** The same images and options again, onto the cards that failed (those that made it are left alone). */
  retry(allCards: CardSummary[]): Promise<void>;
  reset(preselected?: string): void;
}

const initial = {
  step: 'images' as PrepareStep,
  images: [] as string[],
  cards: [] as string[],
  keydisk: { mode: 'none' } as KeydiskChoice,
  layout: 'mbr' as const,
  settings: null,
  jobId: null,
  results: null,
  error: null,
};

export const usePrepare = create<PrepareState>((set, get) => ({
  ...initial,
  setStep: (step) => set({ step, error: null }),
  addImages: (paths) =>
    set((state) => ({ images: [...state.images, ...paths.filter((path) => !state.images.includes(path))] })),
  removeImage: (path) => set((state) => ({ images: state.images.filter((image) => image !== path) })),
  toggleCard: (id) =>
    set((state) => ({
      cards: state.cards.includes(id) ? state.cards.filter((card) => card !== id) : [...state.cards, id],
    })),
  setKeydisk: (keydisk) => set({ keydisk }),
  setLayout: (layout) => set({ layout }),
  setSettings: (settings) => set({ settings }),
  reset: (preselected) => set({ ...initial, cards: preselected ? [preselected] : [] }),
  async retry(allCards) {
    const failed = (get().results ?? []).filter((result) => !result.ok).map((result) => result.cardId);
    set({ cards: failed });
    await get().start(allCards);
  },
  async start(allCards) {
    const state = get();
    const chosen = allCards.filter((card) => state.cards.includes(card.id));
    const typedNames: Record<string, string> = {};
    for (const card of chosen) {
      const systemName = card.system ? card.location.split(/[\\/]/).pop() : undefined;
      const answer = await confirm({
        title: `Erase ${card.title}?`,
        body: `Everything on ${card.title} (${card.location}) will be erased and replaced by an AstLinux card.${
          card.warnings.length > 0 ? ` ${card.warnings.join(' ')}` : ''
        }`,
        confirmLabel: 'Erase and prepare',
        danger: true,
        ...(systemName ? { typedName: systemName } : {}),
      });
      if (answer === null) return;
      if (systemName) typedNames[card.id] = answer;
    }
    const jobId = newJobId('prepare');
    set({ step: 'running', jobId, error: null, results: null });
    try {
      const results = await api().prepareCards({
        jobId,
        cards: chosen.map((card) => card.id),
        images: state.images,
        keydisk: state.keydisk,
        layout: state.layout,
        typedNames,
        ...(state.settings ? { settings: state.settings } : {}),
      });
      set({ step: 'done', results });
    } catch (error) {
      // Back where the refused choice was made: a refused setting on the setup step, the rest on options.
      const refusedSettings = asApiError(error).code === 'settings-refused' && state.settings !== null;
      set({ step: refusedSettings ? 'setup' : 'options', error: asApiError(error) });
    }
  },
}));
