/**
 * The one contract between the app's window (renderer) and the main process: async methods plus `on…`
 * events, and the data they carry. How a call travels (Electron IPC, the WebSocket bridge) is in
 * api-transport.ts; the renderer never learns which one it runs over. Errors cross as data
 * ({code, message, detail}), never as Error objects. Pure TypeScript for the ES5 library: types only,
 * plus the method list the transports are built from.
 */

import type { JobPhase } from './progress.js';

export type { CardStepPhase, JobPhase, Progress, ProgressPhase } from './progress.js';

/** Every error the window sees: `message` is a plain sentence saying what to do; `detail` is for logs. */
export interface ApiError {
  code: string;
  message: string;
  detail?: string;
}

/** How a card's one-line status reads: the colour of its dot. */
export type StatusTone = 'good' | 'warning' | 'bad' | 'neutral';

/**
 * What a card is, as data: the window and the CLI each put it into their own words. A drive the list hides
 * says why; a card that could not be read says so; an AstLinux card says what its loader would boot.
 */
export type CardState =
  | { kind: 'hidden'; why: 'system' | 'virtual' | 'empty-slot' | 'unreadable' }
  | { kind: 'file-missing' }
  | { kind: 'unreadable' }
  | { kind: 'empty' }
  | { kind: 'foreign'; filesystem: string }
  /** The FAT volume is damaged so that what the card holds could not be read whole: Repair is the way on. */
  | { kind: 'damaged' }
  | {
      kind: 'astlinux';
      /** What the loader boots from the card: the image and its version, null when nothing can boot. */
      boot: { image: string; version: string | null } | null;
      /** True when that image's checksum was computed and matched (a full check, not a quick look). */
      verified: boolean;
      /** Network sources come first (`first`), or are all there is (`only`). */
      network: 'none' | 'first' | 'only';
      images: number;
      /** Damaged images the loader tries before the one it boots (all damaged ones when nothing boots). */
      damagedBefore: number;
      /** Damaged images it would only reach after the one it boots. */
      damagedAfter: number;
      loaderPresent: boolean;
      /** The FAT volume is damaged (though it could be read): nothing is written to it before a repair. */
      volumeDamaged?: boolean;
    };

/** A card, USB drive or opened image file, as the Cards list shows it. */
export interface CardSummary {
  /** Its path: `/dev/sdb` or `/home/me/card.img`. Stable while it stays plugged in or open. */
  id: string;
  kind: 'drive' | 'image-file';
  /** What people call it: the drive's model or the image file's name. */
  title: string;
  /** Where it is: the device path, or the folder of an image file. */
  location: string;
  size: number;
  /** The drive holds the running system (or is not removable): hidden unless "Show all drives". */
  system: boolean;
  hidden: boolean;
  state: CardState;
  /** Why a drive is risky to choose, in plain words (system drive, large drive, mounted…). */
  warnings: string[];
  /**
   * Drives: what writing takes, by the core's drive rules (the same as `astcard drives`): ok; confirm
   * (over 128 GB); type-name (a system drive: `confirmName` typed exactly); blocked (never).
   */
  access?: 'ok' | 'confirm' | 'type-name' | 'blocked';
  /** What the user types, exactly, to confirm a type-name drive: `sdb`, `disk2`, `PhysicalDrive1`. */
  confirmName?: string;
  /**
   * A job working on the card now. Its state is what it was before the job (or unknown, when the job erases
   * it): a window shows the job's progress instead, and reads the card again once the job is gone.
   */
  job?: CardJob;
}

/**
 * What a running job does to a card: changes it (everything but verify and try), reads it back (verify),
 * or boots it in a virtual machine (try: nothing on it changes, and nothing may change it meanwhile).
 */
export type CardJobKind =
  | 'prepare'
  | 'add'
  | 'verify'
  | 'loader-update'
  | 'repair'
  | 'revert'
  | 'batch'
  | 'station'
  | 'try';

export interface CardJob {
  jobId: string;
  kind: CardJobKind;
}

export type ChecksumState = 'ok' | 'mismatch' | 'missing' | 'malformed' | 'unverified';

export interface CardImage {
  name: string;
  version: string | null;
  size: number;
  checksum: ChecksumState;
  /**
   * Where the checksum the image was checked against came from: published beside the download, recorded by
   * astcard when it copied a file that had none, or a signed list; null when there is none on the card.
   */
  checksumSource: ChecksumSource | null;
  /** The loader's console line for this image ("AstLinux-0.4.1.img: checksum ok"). */
  line: string;
  boots: boolean;
}

export type ChecksumSource = 'published' | 'recorded' | 'signed';

/** Everything the Card view shows: the card doctor's report, in the window's terms. */
export interface CardView {
  card: CardSummary;
  astlinux: boolean;
  layout: 'mbr' | 'superfloppy' | 'none';
  filesystem: string | null;
  label: string | null;
  free: number | null;
  loader: { present: boolean; version: string | null; appVersion: string | null };
  images: CardImage[];
  /** `by`: the loader that decides — astcard's, or RUNNIX on a card it starts (which boots what os/ver names). */
  boot: { image: string; version: string | null; verified: boolean; by: 'astcard' | 'runnix' } | null;
  bootLines: string[];
  /** RUNNIX on the card: its version, and whether it is what the card starts (else a label to choose). */
  runnix: { version: string | null; isDefault: boolean } | null;
  keydisk: { present: boolean; location: string | null; size: number | null };
  /** The release the card ran before its last upgrade (os/Xver), when it is on the card and not what boots now. */
  revert: { to: string } | null;
  problems: Array<{ code: string; message: string }>;
  /**
   * Damage to the card's FAT volume that no interrupted astcard change leaves: nothing is written to the
   * card until a repair (repairCard). Null: the check found none. `complete` false: the damage stopped the
   * card from being read to the end, so its images, loader and boot are unknown (not absent).
   */
  damage: { problems: VolumeDamage[]; complete: boolean } | null;
  /** True when checksums were not computed (the quick look on opening; "Verify all" computes them). */
  quick: boolean;
  /**
   * Whether a BIOS computer (SYSLINUX in the boot sector) and a UEFI computer (EFI/BOOT/BOOTX64.EFI) start
   * this card's loader, as the card doctor checked it. Says nothing about which image then boots.
   */
  firmware: { bios: boolean; uefi: boolean };
  /** The card's UEFI side as found; null when the card was not read that far (not an AstLinux card). */
  efi: CardEfi | null;
}

/** One thing wrong with a card's file system: what is wrong, naming the file, and what a repair does. */
export interface VolumeDamage {
  code: string;
  message: string;
  fix: string;
}

/** What a repair did: what it put right, what is still wrong, and the card as it is now. */
export interface CardRepair {
  repaired: VolumeDamage[];
  /** Still wrong afterwards (what no repair can put right); empty when the card is sound. */
  remaining: VolumeDamage[];
  /** Whether astcard now writes to the card. */
  writable: boolean;
  view: CardView;
}

export interface CardEfi {
  /** The boot program UEFI firmware starts (`EFI/BOOT/BOOTX64.EFI`); null when there is none. */
  program: string | null;
  /** SYSLINUX's version when that program is syslinux.efi; null for another program. */
  syslinuxVersion: string | null;
  ldlinuxE64: boolean;
  /** EFI/BOOT/syslinux.cfg against /syslinux.cfg. */
  config: 'same' | 'differs' | 'missing';
  /** How the two boot menus would boot differently, one line each. */
  differences: string[];
}

/**
 * One report of a running job, for one card: the phase it is in (how far that phase is, in its own
 * done/total, speed and time left), and where the whole job stands for this card (`overall`, which never
 * goes back when a phase ends and the next starts at 0). The window shows `overall` with the phase named
 * beside it.
 */
export interface JobProgress {
  jobId: string;
  cardId: string;
  phase: JobPhase;
  item?: string;
  done: number;
  total: number;
  speed?: number;
  /** Seconds the phase still needs at its speed. */
  etaSeconds?: number;
  /** The whole job for this card, 0 to 1, weighted by the bytes each phase moves (see overallProgress). */
  overall: number;
}

export type KeydiskChoice = { mode: 'none' } | { mode: 'import'; path: string } | { mode: 'new' };

export interface PrepareRequest {
  jobId: string;
  cards: string[];
  /** Image files, archives or web addresses. */
  images: string[];
  keydisk: KeydiskChoice;
  layout: 'mbr' | 'superfloppy';
  /** For drives flagged as system: the drive's name typed by the user, per card id. */
  typedNames?: { [cardId: string]: string };
  /**
   * "Set up this PBX": settings written into the keydisk before it goes onto the cards (needs a keydisk;
   * every card gets the same). Checked before any card is touched.
   */
  settings?: SettingsChanges;
}

export interface PreparedCard {
  cardId: string;
  ok: boolean;
  error?: ApiError;
  /** What was written and read back, when ok. */
  images?: Array<{ name: string; size: number; sha1: string }>;
  keydisk?: boolean;
  loaderVersion?: string;
  fatType?: number;
  label?: string;
  /** The settings written into its keydisk: the file, and the variables set or unset there. */
  settings?: { file: string; changed: string[] };
}

export interface AddImagesRequest {
  jobId: string;
  cardId: string;
  /** Image files, archives or web addresses. */
  sources: string[];
}

export interface AppInfo {
  version: string;
  loaderVersion: string | null;
  /** True under Electron: file pickers are the system's. False in a browser (`astcard ui`): see listFolder. */
  nativeDialogs: boolean;
  platform: string;
}

/** A batch: one image set onto several cards at once, a keydisk per card from a template and a CSV. */
export interface BatchRequest {
  jobId: string;
  /** Names the batch; its report goes into a folder of that name. */
  name: string;
  cards: string[];
  images: string[];
  /** The keydisk each card gets: none, a copy of a template kd.img, or a new empty one. */
  keydisk: KeydiskChoice;
  /** Per-card values (hostname, ip, gateway…), one row per card; needs a keydisk. */
  csvPath?: string;
  /**
   * The name has a report already and these cards go into it, taking the CSV rows its cards have not
   * used. Without this, a name with a report is refused (see checkBatch).
   */
  addToReport?: boolean;
}

/** What a batch name and CSV would start from: the report kept under that name, and the rows still free. */
export interface BatchCheck {
  /** The folder the report goes into (the name with spaces and odd characters made safe). */
  folder: string;
  /** Cards the report under this name already holds (0: a new report). */
  verified: number;
  failed: number;
  /** Rows of the CSV, and how many of them no card of this batch has taken (null without a CSV). */
  rows: number | null;
  rowsLeft: number | null;
}

/**
 * Station mode: every card inserted while it runs that passes the rules is provisioned at once, until
 * `count` cards are verified (or the job is cancelled). Cards already present when it starts are left alone.
 * Progress comes as `progress` events of the job: one per slot (cardId = the drive; phase `waiting`, a
 * write phase, `done`, `failed`, or `refused` with the reason as item), the running counter under
 * STATION_COUNTER (done = verified cards, total = count, item = failed cards), and the images being made
 * ready first under STATION_IMAGES.
 */
export interface StationRequest {
  jobId: string;
  /** Names the batch; its report goes into a folder of that name. */
  name: string;
  images: string[];
  keydisk: KeydiskChoice;
  csvPath?: string;
  /** Verified cards to make before the station stops. */
  count: number;
  minBytes?: number;
  maxBytes?: number;
  /** Only cards that are not AstLinux cards yet, or only ones that are; any by default. */
  only?: 'any' | 'empty' | 'astlinux';
  /** As in BatchRequest: go on with the report of a name used before. */
  addToReport?: boolean;
}

/** The cardId of a station's running counter in its progress events. */
export const STATION_COUNTER = 'station:counter';

/** The cardId of a station's images being downloaded or unpacked, before it takes cards. */
export const STATION_IMAGES = 'station:images';

/** One card's line in a batch report. */
export interface BatchCardRecord {
  batch: string;
  slot: string;
  target: string;
  model: string | null;
  serial: string | null;
  size: number;
  fatSerial: string | null;
  versions: string[];
  /** `name=sha1` for every image written. */
  digests: string[];
  keydiskRow: number | null;
  keydiskId: string | null;
  keydiskSha1: string | null;
  startedAt: string;
  endedAt: string;
  verified: boolean;
  error: string | null;
}

export interface BatchHistoryEntry {
  name: string;
  cards: BatchCardRecord[];
}

export type PickPurpose =
  | 'image'
  | 'card-image'
  | 'keydisk'
  | 'save-keydisk'
  | 'publish-folder'
  | 'csv'
  | 'save-report'
  | 'public-key';

/** Which files a file browser lists (folders always show); shared/file-pickers.ts says what each takes. */
export type FileFilterId =
  | 'images'
  | 'card-images'
  | 'keydisks'
  | 'csv'
  | 'reports'
  | 'public-keys'
  | 'folders'
  | 'all';

export interface FolderEntry {
  name: string;
  /** Absolute. */
  path: string;
  kind: 'folder' | 'file';
  /** Bytes, for a file. */
  size: number | null;
  /** Last changed, ISO 8601; null when unknown. */
  modified: string | null;
}

/** One folder as the window's own file browser shows it (in a browser, where there is no system dialog). */
export interface FolderListing {
  path: string;
  /** The folder above; null at the top. */
  parent: string | null;
  /** Folders, then the files the filter lets through, each by name. Hidden (dot) entries are left out. */
  entries: FolderEntry[];
  /** Files of the folder the filter left out. */
  filteredOut: number;
  /** The folder holds more than the browser lists at once; the first ones are listed. */
  truncated: boolean;
  /** Where to start: the home folder first, then removable media. */
  places: Array<{ label: string; path: string }>;
  /** Folders files were chosen from lately, newest first (those still there). */
  recent: string[];
}

/** Where a card boots from over the network, as its syslinux.cfg says (`astlinux.source=`, `astlinux.ip=`). */
export interface NetworkSettings {
  /** Source folders (http, ftp, tftp, nfs), normalised, in the order the loader tries them. */
  urls: string[];
  /** The card's own images are the last resort; false writes `card=no`. */
  cardFallback: boolean;
  /** A static address `a.b.c.d/prefix[,gateway[,dns]]`; null asks DHCP. */
  ip: string | null;
}

export interface PublishRequest {
  jobId: string;
  /** The folder to serve; made if missing. Images already in it stay listed. */
  folder: string;
  /** Image files, archives or web addresses. */
  images: string[];
}

export interface PublishOutcome {
  /** The folder, as an absolute path. */
  folder: string;
  /** Images written by this publish. */
  published: string[];
  /** What `astlinux.index` now lists, newest first. */
  index: Array<{ name: string; sha1: string; size: number | null }>;
}

/** Where a setting sits in the settings form. */
export type SettingGroup = 'system' | 'external' | 'internal';

/** One of the common AstLinux settings, as the form shows it (the core's settings model). */
export interface SettingField {
  name: string;
  group: SettingGroup;
  label: string;
  /** One sentence on what it does in AstLinux. */
  help: string;
  /** What AstLinux uses when no settings file sets it; null when it then does without. */
  astlinuxDefault: string | null;
}

export interface SettingsModel {
  fields: SettingField[];
  /** Every time zone name AstLinux accepts (the IANA database shipped with the app). */
  timeZones: string[];
}

/** A problem with a setting, for the form to show beside the fields it names. */
export interface SettingIssue {
  names: string[];
  message: string;
  /** A value refused on its own, the settings file as it stands, or values that do not work together. */
  kind: 'value' | 'file' | 'combination';
}

/** A settings file AstLinux reads besides the one edited, and what it sets. */
export interface SettingsLayer {
  file: string;
  values: { [name: string]: string };
}

/**
 * What a preview is computed over: the settings file as it is now (its text, byte for byte) and the other
 * files AstLinux reads before and after it. Read by readSettings; the preview itself reads nothing.
 */
export interface SettingsBase {
  /** The file on the keydisk that is edited: /rc.conf.d/user.conf, or /rc.conf on an old keydisk. */
  file: string;
  text: string;
  before: SettingsLayer[];
  after: SettingsLayer[];
  /** The file is the old single rc.conf, which AstLinux reads instead of its defaults. */
  replacesDefaults: boolean;
}

/** Whose settings: a card's keydisk, a keydisk file about to be imported, or a new empty keydisk. */
export type SettingsSource = { cardId: string } | { keydiskFile: string } | { newKeydisk: true };

export interface EffectiveSetting {
  value: string;
  /** The file it comes from, or "AstLinux default". */
  from: string;
}

export interface SettingsView {
  base: SettingsBase;
  /** The edited file exists already (false: saving creates it). */
  exists: boolean;
  /** What the edited file sets. */
  values: { [name: string]: string };
  /** Every variable's value once AstLinux has merged its defaults and every settings file. */
  effective: { [name: string]: EffectiveSetting };
  warnings: SettingIssue[];
}

/** What a person asks to change: values to set, variables to unset (back to AstLinux's default). */
export interface SettingsChanges {
  set: { [name: string]: string };
  unset: string[];
}

export interface SettingChangeLine {
  name: string;
  action: 'changed' | 'added' | 'removed';
  /** The value before (null when the file computes it); absent for an added variable. */
  before?: string | null;
  /** The value after; absent for a removed variable. */
  after?: string;
  /** 1-based line in the new text (a removed variable: where it was in the old text). */
  line: number;
}

/** The edited file as saving would write it, and what stops or worries the change. */
export interface SettingsPreview {
  text: string;
  unchanged: boolean;
  changes: SettingChangeLine[];
  /** Problems that stop the change from being saved. */
  errors: SettingIssue[];
  /** Likely mistakes AstLinux would still run with, and problems the file already had. */
  warnings: SettingIssue[];
  effective: { [name: string]: EffectiveSetting };
}

export interface SettingsSaved {
  file: string;
  /** The lines that changed; none when every value was already as asked (nothing was written). */
  changes: SettingChangeLine[];
  warnings: SettingIssue[];
  /** The keydisk's settings read back after the change. */
  settings: SettingsView;
}

export type TryFirmware = 'bios' | 'uefi';

/** How far a test boot got: firmware, the loader, its decision, then the started system's own stages. */
export type TryStage = 'firmware' | 'loader' | 'decided' | 'kernel' | 'userspace' | 'login' | 'powered-off';

export interface TryRequest {
  jobId: string;
  cardId: string;
  firmware?: TryFirmware;
}

/**
 * A slice of a test boot's serial console, as the `tryConsole` event carries it. Bounded so a chatty
 * console cannot flood the window: at most a few slices a second, each with at most TRY_CONSOLE_MAX_LINES
 * lines of at most TRY_CONSOLE_MAX_CHARS characters. The loader's own lines are never left out; other lines
 * beyond the bound are counted in `dropped` (the log file keeps every one).
 */
export interface TryConsole {
  jobId: string;
  cardId: string;
  lines: TryConsoleLine[];
  /** Console lines left out of this slice (the log file has them). */
  dropped: number;
  stage: TryStage;
}

export interface TryConsoleLine {
  text: string;
  /** One of the loader's own lines (`[ 1.23] astcard: …`): what it checked and decided. */
  loader: boolean;
}

export const TRY_CONSOLE_MAX_LINES = 200;
export const TRY_CONSOLE_MAX_CHARS = 400;

/** What a test boot showed, beside what the card doctor predicted (every checksum computed first). */
export interface TryOutcome {
  outcome: 'booted' | 'nothing-bootable' | 'no-decision' | 'cancelled';
  firmware: TryFirmware;
  /** KVM or software emulation, and why (so a slow boot is explained). */
  acceleration: { kind: 'kvm' | 'tcg'; reason: string };
  /** The image the loader started, and its version; null when it started none. */
  started: string | null;
  startedVersion: string | null;
  /** The loader's one-line failure summary, when nothing could boot. */
  failed: string | null;
  stage: TryStage;
  /** What the card doctor predicted the loader starts; null: nothing can boot. */
  predicted: string | null;
  predictedVersion: string | null;
  /** The loader did what was predicted (and the started system's kernel came up). */
  asPredicted: boolean;
  /** The loader's own lines, in order. */
  loaderLines: string[];
  seconds: number;
  /** The whole console, kept for a bug report. */
  logPath: string;
  /** What about the test machine bears on the result (it has no network…), one sentence each. */
  notes: string[];
}

/** A key the card trusts for signed images (`keys/<name>.pub`), or a key file it cannot use, and why. */
export type TrustedKey =
  | { file: string; ok: true; keyNumber: string; comment: string }
  | { file: string; ok: false; problem: string };

/** Who signed an image, as the loader will judge it with the card's keys. */
export type ImageSignature =
  | { status: 'signed'; signer: string; keyNumber: string; list: string }
  | { status: 'unsigned' }
  | { status: 'bad-signature' | 'unknown-key'; reason: string; list: string };

export interface CardTrust {
  keys: TrustedKey[];
  /**
   * How the loader treats signatures on this card (`astlinux.signed`; `preferred` once it trusts a key):
   * off — signatures play no part (then `images` is empty: signed lists are not even read).
   */
  policy: 'required' | 'preferred' | 'off';
  /** By image file name. */
  images: { [name: string]: ImageSignature };
  /** Key files that cannot be used, one line each. */
  notes: string[];
}

/** The service the main process offers the window. */
export interface AstcardApi {
  appInfo(): Promise<AppInfo>;
  listCards(): Promise<CardSummary[]>;
  /** Adds an image file to the list of targets (the "Open card image…" button). */
  openCardImage(path: string): Promise<CardSummary>;
  /** Makes a new blank card image file of this many bytes and opens it. */
  createCardImage(path: string, size: number): Promise<CardSummary>;
  /** Removes an opened image file from the list (the file stays). */
  closeCardImage(id: string): Promise<void>;
  /** A quick look: everything except hashing the images. */
  inspectCard(id: string): Promise<CardView>;
  /** Reads every image back and checks it, as the loader will. */
  verifyCard(id: string, jobId: string): Promise<CardView>;
  prepareCards(request: PrepareRequest): Promise<PreparedCard[]>;
  /**
   * The images (and keydisk) Prepare is about to write: the card list is classified against them from
   * now on (too small, holds an image) and returned. Empty images: back to the plain list.
   */
  planPrepare(images: string[], keydisk: KeydiskChoice): Promise<CardSummary[]>;
  addImages(request: AddImagesRequest): Promise<CardView>;
  removeImage(id: string, name: string): Promise<CardView>;
  /** Puts a new, empty keydisk on the card; `replace` must be true to overwrite one already there. */
  createKeydisk(id: string, replace: boolean): Promise<CardView>;
  importKeydisk(id: string, path: string, replace: boolean): Promise<CardView>;
  exportKeydisk(id: string, path: string): Promise<void>;
  /** Writes this app's loader (and repairs SYSLINUX if needed), keeping the previous one as a fallback. */
  updateLoader(id: string, jobId: string): Promise<CardView>;
  /**
   * Repairs a card's damaged file system (a writer job, like every change): frees space no file uses,
   * gives files that share data each their own copy, shortens a file to the part that is intact; nothing
   * else is touched.
   */
  repairCard(id: string, jobId: string): Promise<CardRepair>;
  /**
   * Back to the release the card ran before its last upgrade (`revert.to`), once that release has been read
   * back and checked: os/ver switched on a card RUNNIX boots, the release pinned on one astcard's loader boots.
   */
  revertCard(id: string, jobId: string): Promise<CardView>;
  eject(id: string): Promise<void>;
  cancelJob(jobId: string): Promise<void>;
  /**
   * The system's file dialog; null when cancelled or where there is none (see AppInfo.nativeDialogs).
   * `suggestedName`: the file name a save dialog proposes.
   */
  pickPath(purpose: PickPurpose, suggestedName?: string): Promise<string[] | null>;
  /** One folder for the window's own file browser (null: the home folder); reads, never writes. */
  listFolder(path: string | null, filter: FileFilterId): Promise<FolderListing>;
  /** Paths just chosen in the window's file browser: their folders head the recent folders. */
  rememberFolders(paths: string[]): Promise<void>;
  /** Writes every card of the batch at once; each card's line is in the report as soon as it is done. */
  runBatch(request: BatchRequest): Promise<BatchCardRecord[]>;
  /** What starting a batch under this name (and with this CSV) would go on from; reads, never writes. */
  checkBatch(name: string, csvPath?: string): Promise<BatchCheck>;
  /** Every batch report kept by the app, newest first. */
  batchHistory(): Promise<BatchHistoryEntry[]>;
  exportBatchReport(name: string, path: string, format: 'csv' | 'json'): Promise<void>;
  /** Runs a station until its count of verified cards is reached or it is cancelled (cancelJob). */
  runStation(request: StationRequest): Promise<BatchCardRecord[]>;
  /** The card's network sources and static address. */
  readNetwork(id: string): Promise<NetworkSettings>;
  /** Writes them into the card's syslinux.cfg (no urls: the card boots its own images only). */
  setNetwork(id: string, settings: NetworkSettings): Promise<NetworkSettings>;
  /** Writes a folder to serve for network boot: the images, their .sha1 files and astlinux.index. */
  publishImages(request: PublishRequest): Promise<PublishOutcome>;
  /** The common settings and their labels, and the time zone names, for the settings form. */
  settingsModel(): Promise<SettingsModel>;
  /** The PBX settings on a card's keydisk, a keydisk file, or a new keydisk; reads, never writes. */
  readSettings(source: SettingsSource): Promise<SettingsView>;
  /** What saving these changes over `base` would write, and what stops it; reads nothing. */
  previewSettings(base: SettingsBase, changes: SettingsChanges): Promise<SettingsPreview>;
  /** Writes the changes into the card's keydisk (a writer job); refused, with nothing written, on errors. */
  changeSettings(id: string, changes: SettingsChanges): Promise<SettingsSaved>;
  /**
   * Boots the card in a virtual machine (nothing on it changes) after predicting, every checksum
   * computed, what its loader starts. The console comes as `tryConsole` events; cancelJob stops it.
   */
  tryCard(request: TryRequest): Promise<TryOutcome>;
  /** The keys the card trusts and who signed each of its images. */
  readTrust(id: string): Promise<CardTrust>;
  /** Adds public key files (signify .pub) to the card's trusted keys, or removes keys by file or number. */
  changeKeys(id: string, changes: { add?: string[]; remove?: string[] }): Promise<CardTrust>;
  onCardsChanged(listener: (cards: CardSummary[]) => void): () => void;
  onProgress(listener: (progress: JobProgress) => void): () => void;
  onTryConsole(listener: (slice: TryConsole) => void): () => void;
}

/**
 * What the window finds as `window.api`: the service, plus what only the preload can do locally (the path
 * of a file dropped on the window; absent in a browser, where dropped files have no path).
 */
export interface WindowApi extends AstcardApi {
  pathForFile?(file: unknown): string;
}

/** The events and what each carries. */
export interface ApiEvents {
  cardsChanged: CardSummary[];
  progress: JobProgress;
  tryConsole: TryConsole;
}

export type ApiEventName = keyof ApiEvents;
export type ApiMethodName = Exclude<keyof AstcardApi, `on${string}`>;

/** The method names, checked against the interface both ways (a missing or extra name fails to compile). */
export const API_METHODS = [
  'appInfo',
  'listCards',
  'openCardImage',
  'createCardImage',
  'closeCardImage',
  'inspectCard',
  'verifyCard',
  'prepareCards',
  'planPrepare',
  'addImages',
  'removeImage',
  'createKeydisk',
  'importKeydisk',
  'exportKeydisk',
  'updateLoader',
  'repairCard',
  'revertCard',
  'eject',
  'cancelJob',
  'pickPath',
  'listFolder',
  'rememberFolders',
  'runBatch',
  'checkBatch',
  'batchHistory',
  'exportBatchReport',
  'runStation',
  'readNetwork',
  'setNetwork',
  'publishImages',
  'settingsModel',
  'readSettings',
  'previewSettings',
  'changeSettings',
  'tryCard',
  'readTrust',
  'changeKeys',
] as const;

export const API_EVENTS: { [name in ApiEventName]: `on${Capitalize<name>}` } = {
  cardsChanged: 'onCardsChanged',
  progress: 'onProgress',
  tryConsole: 'onTryConsole',
};

type Listed = (typeof API_METHODS)[number];
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const methodsAreComplete: Exact<Listed, ApiMethodName> = true;
void methodsAreComplete;
