/**
 * A station's new targets. The user started the station to write every card they insert, so the writer
 * takes new drives while it runs — but only by its own rules, checked here in the writer itself: a drive
 * (never a file), the same identity the client saw, nothing the drive rules would ask a question about
 * (system drives, drives over 128 GB are never written unattended), and a size inside the station's bounds.
 * A card the desktop mounted on insertion is unmounted here, by the writer, which may do so.
 */
import { DriveError } from '../drives/drive-error.js';
import type { StationRules, TargetSpec } from './helper-spec.js';
import { checkTarget } from './target-check.js';
import { unmountDrive } from './unmount.js';

export async function admitTarget(rules: StationRules, offered: TargetSpec): Promise<TargetSpec> {
  // Whatever the client says, nothing that arrives unattended counts as confirmed.
  const target: TargetSpec = { ...offered, typedName: null, confirmed: false };
  const checked = await checkTarget(target, { sourcePaths: [], writes: true });
  if (checked.kind !== 'block-device') {
    throw new DriveError(
      'drive-refused',
      `${target.device} is not a drive; a station only takes inserted cards.`,
    );
  }
  const size = checked.identity.size ?? 0;
  if (
    (rules.minBytes !== null && size < rules.minBytes) ||
    (rules.maxBytes !== null && size > rules.maxBytes)
  ) {
    throw new DriveError(
      'drive-refused',
      `${target.device} holds ${size} bytes, outside the sizes this station was started for.`,
    );
  }
  // A desktop mounts every card as it goes in; one that will not unmount (a window has its files open) is
  // turned away with the reason rather than written under the system's feet.
  if (checked.record.mountpoints.length > 0) await unmountDrive(checked.record);
  return target;
}
