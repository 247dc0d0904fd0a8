import { readIdentity } from '../drives/identity.js';
import type { BatchTarget } from './batch-job.js';

/**
 * A drive as a batch target: its model and serial for the report, read now and checked again right
 * before writing, because card readers reuse device names and the card written must be the one let through.
 */
export async function driveBatchTarget(
  slot: string,
  device: string,
  target: string,
  fallbackModel: string | null,
): Promise<BatchTarget> {
  const identity = await readIdentity(device).catch(() => null);
  return {
    slot,
    target,
    model: identity?.model ?? fallbackModel,
    serial: identity?.serial ?? null,
    // The writer compares it again right before writing: readers reuse device names.
    ...(identity ? { identity: { ...identity, device: target } } : {}),
  };
}
