/**
 * The settings model: the variables people set before a PBX's first start, each with its check, and the
 * rule for every other variable (a valid name, text that stays literal). AstLinux reads these as shell
 * assignments from /mnt/kd/rc.conf.d/*.conf over the defaults in its /stat/etc/rc.conf; the defaults
 * below are the ones that file sets, so a form can say what applies when a variable is left unset.
 */
import {
  type Check,
  checkAddressList,
  checkDomain,
  checkHostAddress,
  checkHostList,
  checkHostname,
  checkInterface,
  checkName,
  checkNetmask,
  checkText,
  checkTimeZone,
} from './checks.js';

export type SettingGroup = 'system' | 'external' | 'internal';

export interface SettingDefinition {
  name: string;
  group: SettingGroup;
  /** A few words for a form's label. */
  label: string;
  /** One sentence on what it does in AstLinux. */
  help: string;
  /** What AstLinux uses when no settings file sets it; undefined when it then does without. */
  astlinuxDefault?: string;
  check(value: string): Check;
}

export const COMMON_SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'HOSTNAME',
    group: 'system',
    label: 'Host name',
    help: "The PBX's short name, without the domain.",
    astlinuxDefault: 'pbx',
    check: checkHostname,
  },
  {
    name: 'DOMAIN',
    group: 'system',
    label: 'Domain',
    help: 'The domain the PBX belongs to; its full name is HOSTNAME.DOMAIN.',
    astlinuxDefault: 'astlinux',
    check: checkDomain,
  },
  {
    name: 'TIMEZONE',
    group: 'system',
    label: 'Time zone',
    help: 'A name from the time zone database, like Europe/Berlin; AstLinux uses UTC without one.',
    astlinuxDefault: 'UTC',
    check: checkTimeZone,
  },
  {
    name: 'NTPSERVS',
    group: 'system',
    label: 'Time servers',
    help: 'NTP servers to set the clock from, separated by spaces.',
    astlinuxDefault: 'us.pool.ntp.org',
    check: checkHostList,
  },
  {
    name: 'EXTIF',
    group: 'external',
    label: 'External interface',
    help: 'The network interface towards the internet or the office network.',
    astlinuxDefault: 'eth0',
    check: checkInterface,
  },
  {
    name: 'EXTIP',
    group: 'external',
    label: 'Static address',
    help: 'A fixed IPv4 address for the external interface; left empty, the interface asks DHCP.',
    check: checkHostAddress,
  },
  {
    name: 'EXTNM',
    group: 'external',
    label: 'Netmask',
    help: 'The netmask of the static address, like 255.255.255.0 (a prefix such as /24 is converted).',
    check: checkNetmask,
  },
  {
    name: 'EXTGW',
    group: 'external',
    label: 'Gateway',
    help: 'The router the PBX sends everything beyond its own network to.',
    check: checkHostAddress,
  },
  {
    name: 'DNS',
    group: 'external',
    label: 'DNS servers',
    help: 'Name servers by address, separated by spaces; with DHCP they usually come from the DHCP server.',
    check: checkAddressList,
  },
  {
    name: 'INTIF',
    group: 'internal',
    label: 'Internal interface',
    help: "A second interface for the phones' network; left unset, there is none.",
    check: checkInterface,
  },
  {
    name: 'INTIP',
    group: 'internal',
    label: 'Internal address',
    help: "The PBX's address on the internal network.",
    astlinuxDefault: '192.168.101.1',
    check: checkHostAddress,
  },
  {
    name: 'INTNM',
    group: 'internal',
    label: 'Internal netmask',
    help: 'The netmask of the internal network, like 255.255.255.0.',
    astlinuxDefault: '255.255.255.0',
    check: checkNetmask,
  },
];

const BY_NAME = new Map(COMMON_SETTINGS.map((setting) => [setting.name, setting]));

export function settingDefinition(name: string): SettingDefinition | undefined {
  return BY_NAME.get(name);
}

/** What AstLinux's defaults give each common variable, for "unset" to be shown as what it means. */
export function astlinuxDefaults(): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const setting of COMMON_SETTINGS) {
    if (setting.astlinuxDefault !== undefined) defaults[setting.name] = setting.astlinuxDefault;
  }
  return defaults;
}

/**
 * Checks one variable: its name, then its value by the model's rule for it (any other variable: text that
 * stays literal). The value returned is what gets written.
 */
export function checkSetting(name: string, value: string): Check {
  const named = checkName(name);
  if (!named.ok) return named;
  const definition = BY_NAME.get(name);
  const checked = definition ? definition.check(value) : { ok: true as const, value };
  if (!checked.ok) return checked;
  // The common checks only ever let through letters, digits and a little punctuation; this is the
  // backstop that keeps every value, known or not, from leaving its quotes.
  return checkText(checked.value);
}
