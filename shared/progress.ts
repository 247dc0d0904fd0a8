/**
 * Progress of long work, one shape for the core, the CLI and the window. Pure types: the loader never
 * reports progress, but the renderer and the core must agree on every phase name, so they live here once.
 */

/** The steps of writing a card, in the order a prepare goes through them. */
export type ProgressPhase =
  | 'download'
  | 'unpack'
  | 'format'
  | 'bootloader'
  | 'loader'
  | 'hash'
  | 'write'
  | 'verify'
  | 'keydisk'
  | 'finish';

/** Progress of one long step, as the CLI, the window and batch runs show it. */
export interface Progress {
  phase: ProgressPhase;
  /** What the phase is working on, e.g. an image name. */
  item?: string;
  done: number;
  total: number;
  /** Bytes per second over the last couple of seconds. */
  speed?: number;
  etaSeconds?: number;
}

/**
 * Where a card of a batch or station stands between the write phases: waiting for its turn, started
 * (`writing`, before its first write phase reports), done, failed, turned away by the station's rules
 * (`refused`, the reason as `item`), or the station's own running counter (`station`: done = verified
 * cards, total = the count, item = failed cards).
 */
export type CardStepPhase = 'waiting' | 'writing' | 'done' | 'failed' | 'refused' | 'station';

export type JobPhase = ProgressPhase | CardStepPhase;
