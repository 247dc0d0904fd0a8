/**
 * Per-card keydisks: a template kd.img (ext2) copied for each card with that card's CSV row written into
 * AstLinux's settings file, `/rc.conf.d/user.conf` on the keydisk (mounted at /mnt/kd on the box). The file
 * is shell variable assignments; settings the template already has are replaced in place, the rest appended,
 * so a template's own tuning survives.
 */

import { BufferDisk } from 'file-disk';
import { checkKeydisk } from '../card/keydisk.js';
import { BatchError } from './batch-error.js';
import type { CardValues } from './card-values.js';

export const USER_CONF_DIR = '/rc.conf.d';
export const USER_CONF = `${USER_CONF_DIR}/user.conf`;

type Check = (value: string) => boolean;
const IPV4: Check = (v) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(v) && v.split('.').every((p) => Number(p) <= 255);
const HOSTNAME: Check = (v) => /^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(v);
const DOMAIN: Check = (v) => /^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(v);
const DNS: Check = (v) => v.split(/\s+/).every(IPV4);
const PLAIN: Check = (v) => /^[\x20-\x7e]*$/.test(v) && !/["`$\\]/.test(v);

/** CSV column (lower case, underscores) → AstLinux variable and what its value must look like. */
const SETTINGS: Record<string, { variable: string; check: Check; what: string }> = {
  hostname: { variable: 'HOSTNAME', check: HOSTNAME, what: 'a host name (letters, digits, -)' },
  domain: { variable: 'DOMAIN', check: DOMAIN, what: 'a domain name' },
  ip: { variable: 'EXTIP', check: IPV4, what: 'an IPv4 address' },
  ip_address: { variable: 'EXTIP', check: IPV4, what: 'an IPv4 address' },
  extip: { variable: 'EXTIP', check: IPV4, what: 'an IPv4 address' },
  netmask: { variable: 'EXTNM', check: IPV4, what: 'a netmask like 255.255.255.0' },
  extnm: { variable: 'EXTNM', check: IPV4, what: 'a netmask like 255.255.255.0' },
  gateway: { variable: 'EXTGW', check: IPV4, what: 'an IPv4 address' },
  extgw: { variable: 'EXTGW', check: IPV4, what: 'an IPv4 address' },
  dns: { variable: 'DNS', check: DNS, what: 'IPv4 addresses separated by spaces' },
  ntp_server: { variable: 'NTPSERVS', check: PLAIN, what: 'plain text' },
  timezone: { variable: 'TIMEZONE', check: PLAIN, what: 'plain text' },
};

/** The shell lines a row turns into, checked so no value can break out of its quotes. */
export function settingsFor(card: CardValues): Map<string, string> {
  const settings = new Map<string, string>();
  for (const [column, value] of Object.entries(card.values)) {
    const setting = SETTINGS[column];
    if (!setting || value === '') continue;
    if (!setting.check(value)) {
      throw new BatchError(
        'bad-value',
        `Row ${card.row} of the CSV: "${value}" in column ${column} is not ${setting.what}. Correct the CSV and start again.`,
      );
    }
    settings.set(setting.variable, value);
  }
  if (card.values.hostname && card.values.ip && !card.values.netmask && !card.values.extnm) {
    // A static address without a netmask leaves AstLinux without a network: assume the usual /24.
    settings.set('EXTNM', '255.255.255.0');
  }
  if (settings.has('EXTIP') && !settings.has('EXTIF')) settings.set('EXTIF', 'eth0');
  return settings;
}

export function applySettings(existing: string, settings: Map<string, string>, label: string): string {
  const left = new Map(settings);
  const lines = existing === '' ? [] : existing.replace(/\n$/, '').split('\n');
  const out = lines.map((line) => {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=/.exec(line);
    const variable = match?.[1];
    if (!variable || !left.has(variable)) return line;
    const value = left.get(variable) as string;
    left.delete(variable);
    return `${variable}="${value}"`;
  });
  if (left.size > 0) {
    out.push(`## Set by astcard batch for ${label}`);
    for (const [variable, value] of left) out.push(`${variable}="${value}"`);
  }
  return `${out.join('\n')}\n`;
}

/** A copy of the template with the card's row applied; the template itself is never changed. */
export async function keydiskForCard(template: Uint8Array, card: CardValues): Promise<Uint8Array> {
  checkKeydisk(template, 'The keydisk template');
  const settings = settingsFor(card);
  const label = card.values.serial_label || card.id;
  const copy = Buffer.from(template);
  try {
    // Loaded only when a keydisk is templated: the wasm module installs process-wide error handlers.
    const { withMountedDisk } = await import('ext2fs');
    await withMountedDisk(new BufferDisk(copy), 0, async ({ promises: fs }) => {
      const entries = await fs.readdir('/');
      if (!entries.includes(USER_CONF_DIR.slice(1))) await fs.mkdir(USER_CONF_DIR, { mode: 0o755 });
      const existing = await fs.readFile(USER_CONF, 'utf8').catch(() => '');
      const text = applySettings(String(existing), settings, PLAIN(label) ? label : `row ${card.row}`);
      await fs.writeFile(USER_CONF, text, { mode: 0o644 });
    });
  } catch (error) {
    if (error instanceof BatchError) throw error;
    throw new BatchError(
      'bad-template',
      'The keydisk template cannot be written to: it may be damaged or full. Use a fresh kd.img.',
      { cause: error, detail: (error as Error).message },
    );
  }
  return new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
}
