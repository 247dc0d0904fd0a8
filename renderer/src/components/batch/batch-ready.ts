/**
 * Why a batch cannot start yet, each in words that say what to do: the start button is disabled for
 * exactly these, and lists them.
 */
import type { BatchCheck } from '../../../../shared/api.js';

export interface BatchReadiness {
  mode: 'batch' | 'station';
  count: string;
  name: string;
  images: string;
  keydisk: 'none' | 'new' | 'template';
  templatePath: string;
  csvPath: string;
  addToReport: boolean;
  check: BatchCheck | null;
  checkError: string | null;
}

export function whatIsMissing(state: BatchReadiness, chosenCards: number): string[] {
  const missing: string[] = [];
  const station = state.mode === 'station';
  const count = Number(state.count);
  const cards = station ? count : chosenCards;
  if (station && !(Number.isInteger(count) && count > 0)) {
    missing.push('Say how many cards the station should make (1 or more).');
  }
  if (!station && chosenCards === 0) missing.push('Choose the cards to write, below.');
  if (state.name.trim() === '') missing.push('Give the batch a name.');
  if (state.images.trim() === '') missing.push('Give the images to write: a file or web address a line.');
  if (state.keydisk === 'template' && state.templatePath.trim() === '') {
    missing.push('Give the path of the keydisk template.');
  }
  if (state.csvPath.trim() !== '' && state.keydisk === 'none') {
    missing.push("Choose a keydisk: the per-card values go into each card's keydisk.");
  }
  if (state.checkError) missing.push(state.checkError);
  const { check } = state;
  if (check && check.verified + check.failed > 0 && !state.addToReport) {
    missing.push(
      `Give the batch a new name, or choose to add these cards to the report of “${check.folder}”.`,
    );
  }
  if (check?.rowsLeft != null && cards > check.rowsLeft) {
    missing.push(
      `Each card takes its own row of the CSV, and ${check.rowsLeft === 0 ? 'no row is' : `only ${check.rowsLeft} ${check.rowsLeft === 1 ? 'row is' : 'rows are'}`} left for ${cards} card${cards === 1 ? '' : 's'}. Add rows to the CSV or make fewer cards.`,
    );
  }
  return missing;
}
