/**
 * The checks behind every setting: each takes what a person typed and returns either the value to write
 * (tidied: a prefix length becomes a netmask, commas in a list become spaces) or a plain reason, phrased to
 * follow the variable's name ("HOSTNAME: …"). Pure, so the app's form, the CLI and batch CSV rows agree.
 */
import { TIME_ZONES } from './time-zones.js';

export type Check = { ok: true; value: string } | { ok: false; reason: string };

const ok = (value: string): Check => ({ ok: true, value });
const no = (reason: string): Check => ({ ok: false, reason });

/**
 * Text that AstLinux's shell keeps literally inside double quotes, on one line. Refused rather than escaped:
 * `"`, `$`, backquote and backslash would be read as quoting or code; AstLinux's own web interface strips
 * them from the values it saves, and several of its start-up scripts expand values unquoted, so an escaped
 * value would not arrive as typed. A newline cannot survive either: AstLinux merges its settings files
 * with a filter that drops blank lines and lines starting with `#`, which would cut into a multi-line value.
 */
export function checkText(value: string): Check {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n' || char === '\r')
      return no(
        'a value must fit on one line: AstLinux drops blank lines and lines starting with # when it merges its settings files, so a line break would cut the value apart.',
      );
    if (code === 0) return no('contains a NUL character, which a shell variable cannot hold.');
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
      return no(`contains an invisible control character (code ${code}); type the value again without it.`);
    if (code >= 0xd800 && code <= 0xdfff) return no('contains a broken character that is not valid text.');
    if (char === '"' || char === '$' || char === '`' || char === '\\') {
      return no(
        `contains ${char}, which AstLinux's shell would read as quoting or code rather than text (its own web interface strips it too); leave it out.`,
      );
    }
  }
  return ok(value);
}

/** Shell and loader variables whose change would alter how every AstLinux start-up script runs. */
const RESERVED_NAMES = new Set([
  'BASH_ENV',
  'CDPATH',
  'ENV',
  'HOME',
  'IFS',
  'LD_LIBRARY_PATH',
  'LD_PRELOAD',
  'OLDPWD',
  'OPTARG',
  'OPTIND',
  'PATH',
  'PPID',
  'PS1',
  'PS2',
  'PS4',
  'PWD',
  'SHELL',
]);

export function checkName(name: string): Check {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) {
    return no(
      `"${name}" is not a name AstLinux uses for a setting: capital letters, digits and _ only, not starting with a digit (like HOSTNAME or EXT2IP).`,
    );
  }
  if (RESERVED_NAMES.has(name)) {
    return no(
      `${name} is a shell variable, not an AstLinux setting: setting it would change how every AstLinux start-up script runs.`,
    );
  }
  return ok(name);
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** One DNS label as RFC 1123 allows it in a host name: letters, digits, inner hyphens, up to 63. */
export function checkHostname(value: string): Check {
  const name = value.trim();
  if (name === '')
    return no('a host name is needed; unset HOSTNAME instead to keep AstLinux\'s default, "pbx".');
  if (name.includes('.')) {
    return no(
      `"${name}" has a dot: HOSTNAME is the short name only. Put "${name.slice(name.indexOf('.') + 1)}" in DOMAIN.`,
    );
  }
  if (name.length > 63) return no(`"${name}" is ${name.length} characters long; a host name has 63 at most.`);
  if (!LABEL.test(name)) {
    return no(
      `"${name}" is not a host name: use letters, digits and hyphens only, not starting or ending with a hyphen.`,
    );
  }
  return ok(name);
}

function checkDnsName(name: string, what: string): Check {
  if (name.endsWith('.')) return no(`"${name}" ends with a dot; leave the final dot out.`);
  if (name.length > 253) return no(`"${name}" is longer than the 253 characters a ${what} can have.`);
  const bad = name.split('.').find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return no(
      bad === ''
        ? `"${name}" has an empty part between two dots.`
        : `"${name}" is not a ${what}: "${bad}" may hold only letters, digits and hyphens, not starting or ending with a hyphen.`,
    );
  }
  return ok(name);
}

export function checkDomain(value: string): Check {
  const name = value.trim();
  return name === '' ? ok('') : checkDnsName(name, 'domain name');
}

/** The four numbers of a dotted IPv4 address, or null. Leading zeros are refused: some tools read them as octal. */
export function parseIpv4(value: string): [number, number, number, number] | null {
  const match = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/.exec(value);
  if (!match) return null;
  const parts = match.slice(1).map(Number) as [number, number, number, number];
  return parts.every((part) => part <= 255) ? parts : null;
}

export function ipv4ToNumber(value: string): number | null {
  const parts = parseIpv4(value);
  return parts ? ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0 : null;
}

export function numberToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function ipv4Reason(value: string): string {
  if (/^\d+(\.\d+){3}$/.test(value)) {
    return /(^|\.)0\d/.test(value)
      ? `"${value}" has a number with a leading zero, which some programs read as octal; write it without.`
      : `"${value}" has a number over 255.`;
  }
  return `"${value}" is not an IPv4 address like 192.168.1.10.`;
}

/** An address a machine's interface or gateway can have: not 0.x, loopback, multicast or reserved. */
export function checkHostAddress(value: string): Check {
  const address = value.trim();
  if (address === '') return ok('');
  const parts = parseIpv4(address);
  if (!parts) return no(ipv4Reason(address));
  if (parts[0] === 0) return no(`"${address}" is in 0.0.0.0/8, which no machine can have as its address.`);
  if (parts[0] === 127) return no(`"${address}" is a loopback address; it never leaves the PBX itself.`);
  if (parts[0] >= 224) return no(`"${address}" is a multicast or reserved address, not one for a machine.`);
  return ok(address);
}

/** Prefix length → dotted netmask (AstLinux's settings and its web interface use the dotted form). */
export function prefixToNetmask(prefix: number): string {
  return numberToIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

export function netmaskToPrefix(netmask: string): number | null {
  const value = ipv4ToNumber(netmask);
  if (value === null) return null;
  const prefix = 32 - Math.log2((~value >>> 0) + 1);
  return Number.isInteger(prefix) ? prefix : null;
}

/** A netmask, written dotted (255.255.255.0); "/24" and "24" are accepted and converted. */
export function checkNetmask(value: string): Check {
  const mask = value.trim();
  if (mask === '') return ok('');
  const prefixMatch = /^\/?(\d{1,2})$/.exec(mask);
  if (prefixMatch) {
    const prefix = Number(prefixMatch[1]);
    if (prefix < 1 || prefix > 32)
      return no(`"${mask}" is not a prefix length: use 1 to 32 (24 is 255.255.255.0).`);
    return ok(prefixToNetmask(prefix));
  }
  if (!parseIpv4(mask)) {
    return no(`"${mask}" is not a netmask: write it like 255.255.255.0, or as a prefix length like /24.`);
  }
  const prefix = netmaskToPrefix(mask);
  if (prefix === null)
    return no(`"${mask}" is not a netmask: its one-bits must come first, as in 255.255.252.0.`);
  if (prefix === 0) return no('0.0.0.0 is not a usable netmask for an interface.');
  return ok(mask);
}

/**
 * A Linux interface name: at most 15 bytes, no slash, colon or white space (the kernel's rules), and here
 * only letters, digits, ".", "-" and "_", which covers eth0, enp1s0, br0, ppp0 and VLANs like eth1.110.
 */
export function checkInterface(value: string): Check {
  const name = value.trim();
  if (name === '') return ok('');
  if (name.length > 15)
    return no(`"${name}" is ${name.length} characters long; Linux interface names have 15 at most.`);
  if (name === '.' || name === '..' || !/^[A-Za-z0-9._-]+$/.test(name)) {
    return no(`"${name}" is not an interface name like eth0, enp1s0 or eth1.110.`);
  }
  return ok(name);
}

const ZONES = new Set(TIME_ZONES);

/** A name from the time zone database, as AstLinux links /usr/share/zoneinfo/$TIMEZONE. Case is corrected. */
export function checkTimeZone(value: string): Check {
  const zone = value.trim().replace(/\s+/g, '_');
  if (zone === '') return ok('');
  if (ZONES.has(zone)) return ok(zone);
  const lower = zone.toLowerCase();
  const sameButCase = TIME_ZONES.find((name) => name.toLowerCase() === lower);
  if (sameButCase) return ok(sameButCase);
  const city = lower.slice(lower.lastIndexOf('/') + 1);
  const near = TIME_ZONES.filter((name) => name.toLowerCase().endsWith(`/${city}`)).slice(0, 3);
  return no(
    `"${value.trim()}" is not a time zone name${near.length ? `; did you mean ${near.join(' or ')}?` : ' like Europe/Berlin or America/Chicago.'}`,
  );
}

/** An IPv6 address in any of its written forms (no zone index); for DNS and NTP server lists. */
export function isIpv6(value: string): boolean {
  let text = value;
  const lastColon = text.lastIndexOf(':');
  let groupsForV4 = 0;
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    if (!parseIpv4(text.slice(lastColon + 1))) return false;
    text = `${text.slice(0, lastColon + 1)}0`;
    groupsForV4 = 1;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  if (groups.flat().some((group) => !/^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  const count = groups.flat().length + groupsForV4;
  return halves.length === 2 ? count <= 7 : count === 8;
}

function listItems(value: string): string[] {
  return value
    .trim()
    .split(/[\s,]+/)
    .filter((item) => item !== '');
}

/** DNS servers: addresses (IPv4 or IPv6), separated by spaces (commas are accepted). */
export function checkAddressList(value: string): Check {
  const items = listItems(value);
  for (const item of items) {
    if (item.includes(':')) {
      if (!isIpv6(item)) return no(`"${item}" is not an IPv6 address.`);
      continue;
    }
    const host = checkHostAddress(item);
    if (!host.ok) return no(`${host.reason} DNS servers are given by address, separated by spaces.`);
  }
  return ok(items.join(' '));
}

/** NTP servers: host names or addresses, separated by spaces (commas are accepted). */
export function checkHostList(value: string): Check {
  const items = listItems(value);
  for (const item of items) {
    if (item.includes(':')) {
      if (!isIpv6(item)) return no(`"${item}" is not an IPv6 address.`);
    } else if (/^[\d.]+$/.test(item)) {
      const host = checkHostAddress(item);
      if (!host.ok) return host;
    } else {
      const name = checkDnsName(item, 'server name');
      if (!name.ok) return no(`${name.reason} Separate several servers with spaces.`);
    }
  }
  return ok(items.join(' '));
}
