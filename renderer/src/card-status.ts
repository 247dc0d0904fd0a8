/** A card's state in the window's words: the one line the Cards list shows, and the colour of its dot. */
import type { CardJob, CardJobKind, CardState, CardSummary, StatusTone } from '../../shared/api.js';
import { formatBytes } from './format.js';

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
    case 'damaged':
      return { text: 'File system damaged — open it to repair', tone: 'bad' };
    case 'empty':
      return { text: 'Empty', tone: 'neutral' };
    case 'foreign':
      return { text: `Not an AstLinux card (${state.filesystem})`, tone: 'neutral' };
    case 'astlinux': {
      // Whatever it boots, nothing can be changed on it before a repair: that comes first.
      if (state.volumeDamaged)
        return { text: 'AstLinux card — file system damaged, needs repair', tone: 'bad' };
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

/** What a job is doing to a card, as the list says it while the job runs. */
const JOB_WORDS: Record<CardJobKind, string> = {
  prepare: 'Being erased and prepared',
  add: 'Images being added',
  verify: 'Images being checked',
  'loader-update': 'Loader being updated',
  repair: 'Being repaired',
  revert: 'Going back to its previous release',
  batch: 'Being written by a batch',
  station: 'Being written by the station',
  try: 'Being tried in a test machine',
};

export function jobStatus(job: CardJob): StatusLine {
  return { text: `${JOB_WORDS[job.kind]}…`, tone: 'neutral' };
}

/** The line for a card: the job working on it, if any — what it held before may be gone — else its state. */
export function cardLine(card: Pick<CardSummary, 'state' | 'job'>): StatusLine {
  return card.job ? jobStatus(card.job) : cardStatus(card.state);
}

/** Where a card is and how large, as its list line says it; a card image file that is gone has no size. */
export function cardPlace(card: Pick<CardSummary, 'location' | 'size' | 'state'>): string {
  return card.state.kind === 'file-missing' ? card.location : `${card.location} · ${formatBytes(card.size)}`;
}
