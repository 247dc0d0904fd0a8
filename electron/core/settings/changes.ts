/**
 * What a person asks to change — {set: {NAME: value}, unset: [NAME]} — checked variable by variable, and
 * then as a whole against the values the PBX will end up with (a static address needs a netmask…).
 * Problems are returned, not thrown, so a form can show each next to its field; the keydisk writer turns
 * them into one error.
 */
import {
  checkHostAddress,
  checkName,
  checkNetmask,
  ipv4ToNumber,
  netmaskToPrefix,
  numberToIpv4,
} from './checks.js';
import { checkSetting } from './model.js';

export interface SettingsChanges {
  set?: Record<string, string>;
  unset?: readonly string[];
}

export interface SettingIssue {
  /** The variables the issue is about, for a form to show it beside them. */
  names: string[];
  message: string;
  /** A value refused on its own, the settings file as it stands, or values that do not work together. */
  kind: 'value' | 'file' | 'combination';
}

export interface CheckedChanges {
  /** Values as they will be written (a prefix turned into a netmask, list separators tidied…). */
  set: Record<string, string>;
  unset: string[];
  errors: SettingIssue[];
}

/** Where an address may come with its prefix ("10.0.0.5/24"), the netmask variable it fills. */
const ADDRESS_WITH_MASK: Record<string, string> = { EXTIP: 'EXTNM', INTIP: 'INTNM' };

export function checkChanges(changes: SettingsChanges): CheckedChanges {
  const errors: SettingIssue[] = [];
  const set: Record<string, string> = {};
  const unset = [...new Set(changes.unset ?? [])];
  const given = changes.set ?? {};

  // An address with its prefix fills its netmask variable too, placed right after it.
  const requested: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(given)) {
    const maskName = ADDRESS_WITH_MASK[name];
    if (!maskName || !value.includes('/')) {
      if (!requested.some(([other]) => other === name)) requested.push([name, value]);
      continue;
    }
    const [address = '', mask = ''] = value.trim().split('/', 2);
    const checkedMask = checkNetmask(mask);
    if (!checkHostAddress(address).ok || !checkedMask.ok || checkedMask.value === '') {
      errors.push({
        kind: 'value',
        names: [name],
        message: `${name}: "${value}" is not an address with a prefix like 192.168.1.10/24.`,
      });
      continue;
    }
    const stated = given[maskName] === undefined ? undefined : checkNetmask(given[maskName]);
    if (stated?.ok && stated.value !== checkedMask.value) {
      errors.push({
        kind: 'value',
        names: [name, maskName],
        message: `${name} says /${mask} but ${maskName} says ${given[maskName]}; give the netmask once.`,
      });
      continue;
    }
    requested.push([name, address]);
    if (!stated) requested.push([maskName, checkedMask.value]);
  }

  for (const [name, value] of requested) {
    if (unset.includes(name)) {
      errors.push({ names: [name], kind: 'value', message: `${name} is both set and unset; choose one.` });
      continue;
    }
    const checked = checkSetting(name, value);
    if (checked.ok) set[name] = checked.value;
    else errors.push({ names: [name], kind: 'value', message: `${name}: ${checked.reason}` });
  }
  for (const name of unset) {
    const checked = checkName(name);
    if (!checked.ok) errors.push({ names: [name], kind: 'value', message: checked.reason });
  }
  return { set, unset, errors };
}

/** Applies checked changes over the values in force before them. */
export function applyChanges(
  values: Readonly<Record<string, string>>,
  changes: Pick<CheckedChanges, 'set' | 'unset'>,
  underneath: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const result = { ...values, ...changes.set };
  for (const name of changes.unset) {
    if (name in underneath) result[name] = underneath[name] as string;
    else delete result[name];
  }
  return result;
}

interface Network {
  address: number;
  prefix: number;
  network: number;
  broadcast: number;
}

function networkOf(address: string | undefined, netmask: string | undefined): Network | null {
  const ip = address ? ipv4ToNumber(address) : null;
  const prefix = netmask ? netmaskToPrefix(netmask) : null;
  if (ip === null || prefix === null) return null;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ip & mask) >>> 0;
  return { address: ip, prefix, network, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

const filled = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Checks the values AstLinux will run with (defaults and every settings file merged) as a whole. Errors
 * stop AstLinux from setting the network up as meant; warnings are likely mistakes it would still run with.
 */
export function checkCombination(values: Readonly<Record<string, string>>): {
  errors: SettingIssue[];
  warnings: SettingIssue[];
} {
  const errors: SettingIssue[] = [];
  const warnings: SettingIssue[] = [];
  const { EXTIF, EXTIP, EXTNM, EXTGW, DNS, INTIF, INTIP, INTNM } = values;

  if (filled(EXTIP)) {
    if (!filled(EXTNM)) {
      errors.push({
        kind: 'combination',
        names: ['EXTIP', 'EXTNM'],
        message: `The static address ${EXTIP} needs a netmask in EXTNM (such as 255.255.255.0); without one AstLinux cannot configure ${EXTIF || 'the external interface'}.`,
      });
    }
    const external = networkOf(EXTIP, EXTNM);
    if (external && external.prefix <= 30) {
      if (external.address === external.network)
        errors.push({
          kind: 'combination',
          names: ['EXTIP'],
          message: `${EXTIP} is the network address of ${numberToIpv4(external.network)}/${external.prefix}, not one a machine can have.`,
        });
      else if (external.address === external.broadcast)
        errors.push({
          kind: 'combination',
          names: ['EXTIP'],
          message: `${EXTIP} is the broadcast address of its network, not one a machine can have.`,
        });
    }
    if (!filled(EXTGW)) {
      warnings.push({
        kind: 'combination',
        names: ['EXTGW'],
        message: 'No gateway (EXTGW): with a static address the PBX will reach only its own network.',
      });
    } else if (EXTGW === EXTIP) {
      errors.push({
        kind: 'combination',
        names: ['EXTGW'],
        message: `The gateway ${EXTGW} is the PBX's own address.`,
      });
    } else {
      const gateway = ipv4ToNumber(EXTGW);
      if (
        external &&
        gateway !== null &&
        (gateway & ~(external.broadcast - external.network)) >>> 0 !== external.network
      ) {
        warnings.push({
          kind: 'combination',
          names: ['EXTGW'],
          message: `The gateway ${EXTGW} is outside the PBX's network ${numberToIpv4(external.network)}/${external.prefix}; check the address and netmask.`,
        });
      }
    }
    if (!filled(DNS)) {
      warnings.push({
        kind: 'combination',
        names: ['DNS'],
        message: 'No DNS servers (DNS): with a static address nothing tells the PBX where to look names up.',
      });
    }
  } else {
    const ignored = (['EXTNM', 'EXTGW'] as const).filter((name) => filled(values[name]));
    if (ignored.length > 0) {
      warnings.push({
        kind: 'combination',
        names: ignored,
        message: `${ignored.join(' and ')} ${ignored.length > 1 ? 'are' : 'is'} not used while EXTIP is empty: the external interface asks DHCP.`,
      });
    }
  }

  if (filled(INTIF) && INTIF !== 'none') {
    if (INTIF === EXTIF) {
      errors.push({
        kind: 'combination',
        names: ['INTIF', 'EXTIF'],
        message: `${INTIF} is both the external and the internal interface; the internal one needs its own.`,
      });
    }
    if (!filled(INTIP) || !filled(INTNM)) {
      errors.push({
        kind: 'combination',
        names: ['INTIP', 'INTNM'],
        message: `The internal interface ${INTIF} needs an address (INTIP) and a netmask (INTNM).`,
      });
    }
    const internal = networkOf(INTIP, INTNM);
    const external = networkOf(EXTIP, EXTNM);
    if (internal && external) {
      const smaller = Math.min(internal.prefix, external.prefix);
      const mask = smaller === 0 ? 0 : (0xffffffff << (32 - smaller)) >>> 0;
      if ((internal.address & mask) >>> 0 === (external.address & mask) >>> 0) {
        warnings.push({
          kind: 'combination',
          names: ['INTIP', 'EXTIP'],
          message: `The internal network (${INTIP}) overlaps the external one (${EXTIP}); give them different networks.`,
        });
      }
    }
  }
  return { errors, warnings };
}
