/**
 * `astcard repair`: what the refusal to write to a damaged card points to. Every card operation refuses a
 * volume with damage it did not cause itself (card-volume.ts), since a write to crossed or broken chains
 * hands live data to the new file; this puts right everything volume-repair.ts can, keeping every byte
 * that is still readable, and says what it changed and what is still wrong.
 */
import type { BlockDevice } from '../block/block-device.js';
import type { VolumeProblem } from '../fat/index.js';
import { openCardVolume } from './card-volume.js';

/** One problem as the user reads it: no scan indices, which mean nothing outside one check. */
export type CardProblem = Pick<VolumeProblem, 'code' | 'severity' | 'message' | 'fix' | 'paths'>;

export interface RepairCardResult {
  repaired: CardProblem[];
  /** Still wrong afterwards; only `harmless` ones leave the card fit to write to. */
  remaining: CardProblem[];
  /** Whether astcard will now write to the card. */
  writable: boolean;
}

export async function repairCard(disk: BlockDevice): Promise<RepairCardResult> {
  const { volume } = await openCardVolume(disk, { forRepair: true });
  try {
    const { repaired, remaining } = await volume.repair('all');
    return {
      repaired: repaired.map(shown),
      remaining: remaining.map(shown),
      writable: remaining.every((problem) => problem.severity === 'harmless'),
    };
  } finally {
    await volume.close();
  }
}

function shown({ code, severity, message, fix, paths }: VolumeProblem): CardProblem {
  return { code, severity, message, fix, paths };
}
