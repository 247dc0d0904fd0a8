/** A card's state in the window's words: the one line the Cards list shows, and the colour of its dot. */
import type { CardState, StatusTone } from '../../shared/api.js';

export interface StatusLine {
  text: string;
  tone: StatusTone;
}

const HIDDEN: Record<Extract<CardState, { kind: 'hidden' }>['why'], string> = {
  system: 'System drive',
  virtual: 'Virtual drive',
  'empty-slot': 'Empty slot',
  unreadable: 'Unreadable drive',
};

export function cardStatus(state: CardState): StatusLine {
  switch (state.kind) {
    case 'hidden':
      return { text: `${HIDDEN[state.why]} — hidden`, tone: 'neutral' };
    case 'file-missing':
      return { text: 'The file is gone', tone: 'bad' };
    case 'unreadable':
      return { text: 'Cannot be read', tone: 'bad' };
    case 'empty':
      return { text: 'Empty', tone: 'neutral' };
    case 'foreign':
      return { text: `Not an AstLinux card (${state.filesystem})`, tone: 'neutral' };
    case 'astlinux': {
      if (state.network === 'only')
        return { text: 'AstLinux card — boots from the network only', tone: 'neutral' };
      if (state.boot) {
        const version = state.boot.version ?? state.boot.image;
        const network = state.network === 'first' ? 'network first, then ' : '';
        const mark = state.verified ? ' ✓' : '';
        const damaged = state.damagedBefore > 0 ? ' (a newer image is damaged)' : '';
        const tone =
          state.damagedBefore + state.damagedAfter > 0 || !state.loaderPresent ? 'warning' : 'good';
        return { text: `AstLinux card — ${network}boots ${version}${mark}${damaged}`, tone };
      }
      if (state.images === 0) return { text: 'AstLinux card — no images yet', tone: 'warning' };
      return { text: 'AstLinux card — nothing can boot', tone: 'bad' };
    }
  }
}
