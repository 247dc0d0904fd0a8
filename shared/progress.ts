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

/**
 * A job's share of each phase, in the bytes the phase moves: what one overall figure for the whole job is
 * computed from, so it never runs backwards when a phase ends and the next begins at 0 %.
 */
export interface PhaseWeight {
  phase: ProgressPhase;
  /** The bytes the phase moves: its share of the job. */
  bytes: number;
  /**
   * What the phase's reports count up to, all together, when it does not count bytes: formatting says
   * "0 of 1", then "1 of 1". By default, `bytes` (plus the staged bytes, with `plusStaged`).
   */
  count?: number;
  /**
   * The phase also moves what the job downloads or unpacks first (an image from a web address or an
   * archive), whose size is known only once that starts.
   */
  plusStaged?: boolean;
  /**
   * Downloading and unpacking (weighed by the sizes they announce, so `bytes` is not used): how many items
   * they will bring. Those not started yet count as the average of those started, so a second download
   * does not find the bar at its end.
   */
  items?: number;
}

export interface OverallProgress {
  /**
   * Counts one report of the job's phases in, and says where the job stands now: 0 to 1, never less than
   * the figure before. (No time left for the whole job: the phases run at speeds too different to say.)
   */
  update(progress: Progress): number;
}

/** Downloading and unpacking are weighed by the bytes they announce (see PhaseWeight.items). */
const STAGED: ProgressPhase[] = ['download', 'unpack'];

/**
 * Follows a job's reports against its plan. Each phase counts the bytes done of every item it reported
 * (the most reported for each, so a step reported twice counts once), against the larger of what was
 * planned and what its reports announced; phases absent from the plan only name what is happening.
 * Pure ES5 (shared/ runs under mujs), so no Map.
 */
export function overallProgress(plan: PhaseWeight[]): OverallProgress {
  const seen: { [key: string]: { phase: ProgressPhase; done: number; total: number } } = {};
  let last = 0;

  function sums(phase: ProgressPhase): { done: number; total: number; items: number } {
    let done = 0;
    let total = 0;
    let items = 0;
    for (const key in seen) {
      const entry = seen[key];
      if (!entry || entry.phase !== phase) continue;
      done += entry.done;
      total += entry.total;
      items += 1;
    }
    return { done, total, items };
  }

  function expectedItems(phase: ProgressPhase): number {
    for (let i = 0; i < plan.length; i++) {
      const step = plan[i] as PhaseWeight;
      if (step.phase === phase && step.items !== undefined) return step.items;
    }
    return 0;
  }

  function figure(): { done: number; total: number } {
    let stagedDone = 0;
    let stagedTotal = 0;
    for (let i = 0; i < STAGED.length; i++) {
      const phase = STAGED[i] as ProgressPhase;
      const staged = sums(phase);
      stagedDone += Math.min(staged.done, staged.total);
      stagedTotal += staged.total;
      if (staged.items > 0 && staged.items < expectedItems(phase)) {
        stagedTotal += (expectedItems(phase) - staged.items) * (staged.total / staged.items);
      }
    }
    let done = stagedDone;
    let total = stagedTotal;
    for (let i = 0; i < plan.length; i++) {
      const step = plan[i] as PhaseWeight;
      if (STAGED.indexOf(step.phase) >= 0) continue;
      const weight = step.bytes + (step.plusStaged ? stagedTotal : 0);
      const reported = sums(step.phase);
      const expected = Math.max(reported.total, step.count !== undefined ? step.count : weight);
      total += weight;
      if (expected > 0) done += weight * Math.min(1, reported.done / expected);
    }
    return { done, total };
  }

  return {
    update(progress) {
      const key = `${progress.phase}\u0000${progress.item !== undefined ? progress.item : ''}`;
      const before = seen[key];
      seen[key] = {
        phase: progress.phase,
        done: Math.max(before ? before.done : 0, progress.done),
        total: Math.max(before ? before.total : 0, progress.total),
      };
      const now = figure();
      // A phase announcing more than planned (a second download) can lower the figure: it waits instead.
      last = Math.max(last, now.total > 0 ? Math.min(1, now.done / now.total) : 0);
      return last;
    },
  };
}

/**
 * What a job moves, as far as it is known before it starts: what its plan is made of. The app and the
 * command line measure these (file sizes, the built loader) and get the same plans, so the same figure.
 */
export interface JobSizes {
  /** Images that are local files, in bytes. */
  localImages: number;
  /** Images from web addresses, and archives: each is sized when it starts to download or unpack. */
  downloads: number;
  archives: number;
  /** The loader's kernel and initramfs, SYSLINUX's files, and the keydisk, in bytes. */
  loader: number;
  bootloader: number;
  keydisk: number;
}

/** Erasing writes about this much: the first MiB wiped, then the FAT tables. */
const FORMAT_BYTES = 1024 * 1024;
/** Closing the volume: a directory and FAT flush. */
const FINISH_BYTES = 64 * 1024;

/** Downloads and archives, counted so the second one is expected before it announces its size. */
export function stagedPhases(sizes: Pick<JobSizes, 'downloads' | 'archives'>): PhaseWeight[] {
  const phases: PhaseWeight[] = [];
  if (sizes.downloads > 0) phases.push({ phase: 'download', bytes: 0, items: sizes.downloads });
  if (sizes.archives > 0) phases.push({ phase: 'unpack', bytes: 0, items: sizes.archives });
  return phases;
}

/** Each image copied (write), then read back (verify): what an add moves. */
export function addPhases(sizes: Pick<JobSizes, 'downloads' | 'archives' | 'localImages'>): PhaseWeight[] {
  return stagedPhases(sizes).concat([
    { phase: 'write', bytes: sizes.localImages, plusStaged: true },
    { phase: 'verify', bytes: sizes.localImages, plusStaged: true },
  ]);
}

/** Erase and prepare a card (a batch's card too): format, SYSLINUX, the loader, the images, the keydisk. */
export function preparePhases(sizes: JobSizes): PhaseWeight[] {
  const copy = addPhases(sizes);
  const staged = stagedPhases(sizes);
  return staged.concat(
    [
      { phase: 'format', bytes: FORMAT_BYTES, count: 1 },
      { phase: 'bootloader', bytes: sizes.bootloader, count: 1 },
      { phase: 'loader', bytes: sizes.loader, count: 1 },
    ],
    copy.slice(staged.length),
    [
      { phase: 'keydisk', bytes: sizes.keydisk },
      { phase: 'finish', bytes: FINISH_BYTES, count: 1 },
    ],
  );
}

/** Rewrite the loader: SYSLINUX, then the kernel and initramfs written and read back. */
export function loaderUpdatePhases(sizes: Pick<JobSizes, 'loader' | 'bootloader'>): PhaseWeight[] {
  return [
    { phase: 'bootloader', bytes: sizes.bootloader, count: 1 },
    { phase: 'loader', bytes: sizes.loader },
    { phase: 'verify', bytes: sizes.loader },
  ];
}

/** Check a card: every image with a checksum file read and hashed. */
export function verifyPhases(bytesToHash: number): PhaseWeight[] {
  return [{ phase: 'hash', bytes: bytesToHash }];
}
