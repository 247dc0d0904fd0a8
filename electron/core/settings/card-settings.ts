/**
 * A PBX's settings on its keydisk: reads the settings file AstLinux takes them from, with everything else
 * that decides what AstLinux will use, and writes a change to that file.
 *
 * Which file: AstLinux (gen-rc-conf) reads its defaults plus every rc.conf.d/*.conf on the keydisk in name
 * order when the keydisk has an rc.conf.d folder; otherwise the keydisk's old single rc.conf *instead of*
 * the defaults. So astcard edits rc.conf.d/user.conf — the file meant for people — unless the keydisk has
 * only the old rc.conf: creating rc.conf.d there would make AstLinux ignore every setting in it, so that
 * file is edited instead.
 */
import type { BlockDevice } from '../block/block-device.js';
import { MemoryBlockDevice } from '../block/memory-block-device.js';
import type { SettingIssue, SettingsChanges } from './changes.js';
import { changeKeydisk, type KeydiskFs, keydiskState, readKeydisk } from './keydisk-fs.js';
import { settingDefinition } from './model.js';
import { type EffectiveValue, effectiveValues, previewUserConf, type SettingsLayer } from './preview.js';
import { SettingsError } from './settings-error.js';
import { decodeSettingsText, encodeSettingsText, type TextEncoding } from './text-encoding.js';
import { type ConfProblem, type ConfVariable, type OtherMention, readUserConf } from './user-conf.js';
import type { SettingChange } from './user-conf-edit.js';

export const SETTINGS_DIR = '/rc.conf.d';
export const USER_CONF = `${SETTINGS_DIR}/user.conf`;
export const LEGACY_RC_CONF = '/rc.conf';

/** The keydisk: a device or partition window holding the ext2 volume from byte 0, or its bytes (kd.img). */
export type KeydiskVolume = BlockDevice | Uint8Array;

export interface CardSettings {
  /** The file on the keydisk that astcard reads and edits: /rc.conf.d/user.conf, or /rc.conf on old keydisks. */
  file: string;
  exists: boolean;
  /** Its text ('' when it does not exist yet). */
  text: string;
  encoding: TextEncoding;
  /** What the file sets, as AstLinux reads it. */
  values: Record<string, string>;
  variables: ConfVariable[];
  /** Variables set by shell code in the file that astcard does not edit. */
  others: OtherMention[];
  problems: ConfProblem[];
  /** The other settings files AstLinux reads before and after it. */
  before: SettingsLayer[];
  after: SettingsLayer[];
  /** The file is the old single rc.conf, which AstLinux reads instead of its defaults. */
  replacesDefaults: boolean;
  /** Every variable's value once AstLinux has merged everything, and where it comes from. */
  effective: Record<string, EffectiveValue>;
  /** What a person should know before relying on the values (a later file overriding one, a dirty volume). */
  warnings: SettingIssue[];
}

export interface WriteSettingsOptions {
  /** A comment written above appended variables (batches name the card). */
  appendComment?: string;
}

export interface WriteSettingsResult {
  file: string;
  /** The file or its folder did not exist and was created. */
  created: boolean;
  before: string;
  text: string;
  changes: SettingChange[];
  warnings: SettingIssue[];
  /** When the keydisk was given as bytes: the changed copy (the bytes given are left as they were). */
  image?: Uint8Array;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function listOrNull(fs: KeydiskFs, path: string): Promise<string[] | null> {
  try {
    return await fs.readdir(path);
  } catch {
    return null;
  }
}

async function readText(
  fs: KeydiskFs,
  path: string,
): Promise<{ text: string; encoding: TextEncoding } | null> {
  try {
    return decodeSettingsText(await fs.readFile(path));
  } catch {
    return null;
  }
}

async function readFrom(fs: KeydiskFs, device: BlockDevice): Promise<CardSettings> {
  const root = (await listOrNull(fs, '/')) ?? [];
  const folder = root.includes(SETTINGS_DIR.slice(1)) ? await listOrNull(fs, SETTINGS_DIR) : null;
  const legacy = folder === null && root.includes(LEGACY_RC_CONF.slice(1));
  const file = legacy ? LEGACY_RC_CONF : USER_CONF;
  const current = await readText(fs, file);
  const text = current?.text ?? '';
  const read = readUserConf(text);

  const before: SettingsLayer[] = [];
  const after: SettingsLayer[] = [];
  // The shell's *.conf glob: no hidden files, sorted byte by byte as in AstLinux's C locale.
  const names = (folder ?? [])
    .filter((name) => name.endsWith('.conf') && !name.startsWith('.'))
    .sort(byteOrder);
  for (const name of names) {
    if (name === 'user.conf') continue;
    const other = await readText(fs, `${SETTINGS_DIR}/${name}`);
    if (!other) continue;
    const layer = { file: `rc.conf.d/${name}`, values: readUserConf(other.text).values };
    (byteOrder(name, 'user.conf') < 0 ? before : after).push(layer);
  }
  const label = legacy ? 'rc.conf' : 'rc.conf.d/user.conf';
  const effective = effectiveValues([...before, { file: label, values: read.values }, ...after], !legacy);

  const warnings: SettingIssue[] = [];
  for (const name of Object.keys(read.values)) {
    const from = effective[name]?.from;
    if (from && from !== label) {
      warnings.push({
        names: [name],
        kind: 'combination',
        message: `${from} also sets ${name} and AstLinux reads it after ${label}, so "${effective[name]?.value}" is the value that counts.`,
      });
    }
  }
  for (const [name, value] of Object.entries(read.values)) {
    const checked = settingDefinition(name)?.check(value);
    if (checked && !checked.ok) {
      warnings.push({
        names: [name],
        kind: 'value',
        message: `${label} sets ${name} to "${value}": ${checked.reason}`,
      });
    }
  }
  if ((await keydiskState(device)).unclean) {
    warnings.push({
      names: [],
      kind: 'file',
      message:
        'The keydisk was not shut down cleanly; what it shows may be older than what the PBX last saved.',
    });
  }
  return {
    file,
    exists: current !== null,
    text,
    encoding: current?.encoding ?? 'utf-8',
    ...read,
    before,
    after,
    replacesDefaults: legacy,
    effective,
    warnings,
  };
}

function deviceOf(volume: KeydiskVolume): BlockDevice {
  return volume instanceof Uint8Array ? new MemoryBlockDevice(volume, { name: 'kd.img' }) : volume;
}

/** The keydisk's settings, and what AstLinux will make of them. Never changes the keydisk. */
export async function readCardSettings(volume: KeydiskVolume): Promise<CardSettings> {
  const device = deviceOf(volume);
  return readKeydisk(device, (fs) => readFrom(fs, device));
}

function refusal(errors: SettingIssue[], preview: { changes: SettingChange[] }): SettingsError {
  const message = errors.map((error) => error.message).join(' ');
  const code = errors.some((error) => error.kind === 'file')
    ? 'unreadable-settings'
    : errors.some((error) => error.kind === 'value')
      ? 'invalid-setting'
      : 'inconsistent-settings';
  return new SettingsError(code, `Nothing was changed on the keydisk. ${message}`, {
    detail: JSON.stringify({ errors, planned: preview.changes.length }),
  });
}

/**
 * Changes the settings file on the keydisk: checks every value and the result as a whole, writes only the
 * lines that change (creating rc.conf.d and user.conf when missing), and reads the file back. Throws a
 * SettingsError, with nothing written, when a value or the result is refused.
 */
export async function writeCardSettings(
  volume: KeydiskVolume,
  changes: SettingsChanges,
  options: WriteSettingsOptions = {},
): Promise<WriteSettingsResult> {
  const copy = volume instanceof Uint8Array ? new Uint8Array(volume) : null;
  const device = copy ? new MemoryBlockDevice(copy, { name: 'kd.img' }) : (volume as BlockDevice);
  const current = await readCardSettings(device);
  const preview = previewUserConf(current.text, changes, {
    before: current.before,
    after: current.after,
    replacesDefaults: current.replacesDefaults,
    file: current.file.slice(1),
    ...(options.appendComment ? { appendComment: options.appendComment } : {}),
  });
  if (preview.errors.length > 0) throw refusal(preview.errors, preview);
  const result: WriteSettingsResult = {
    file: current.file,
    created: false,
    before: current.text,
    text: preview.text,
    changes: preview.changes,
    warnings: preview.warnings,
  };
  if (!preview.unchanged) {
    const bytes = encodeSettingsText(preview.text, current.encoding);
    result.created = await changeKeydisk(device, async (fs) => {
      const root = await fs.readdir('/');
      const makeFolder = current.file === USER_CONF && !root.includes(SETTINGS_DIR.slice(1));
      if (makeFolder) await fs.mkdir(SETTINGS_DIR, 0o755);
      // A new file gets the usual 0644; an existing one keeps the mode it has.
      await fs.writeFile(current.file, bytes, current.exists ? {} : { mode: 0o644 });
      return makeFolder || !current.exists;
    });
    const back = await readKeydisk(device, (fs) => fs.readFile(current.file));
    if (Buffer.compare(Buffer.from(back), Buffer.from(bytes)) !== 0) {
      throw new SettingsError(
        'verify-failed',
        `${current.file} reads back differently from what was written to the keydisk on ${device.name}; the medium may be failing.`,
      );
    }
  }
  if (copy) result.image = copy;
  return result;
}
