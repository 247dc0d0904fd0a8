/**
 * `astlinux.ip=`: how the loader brings up the network for a network source. Absent or `dhcp` asks DHCP;
 * otherwise a static address `<a.b.c.d>/<prefix>[,<gateway>[,<dns>]]`, e.g. `192.168.1.20/24,192.168.1.1`.
 * The loader passes the address it used on to AstLinux the same way, so both sides read one format.
 */

export interface StaticAddress {
  readonly address: string;
  readonly prefix: number;
  readonly gateway: string | null;
  readonly dns: string | null;
}

function parseIpv4(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^[0-9]{1,3}$/.test(part) || Number(part) > 255 || (part.length > 1 && part.charAt(0) === '0')) {
      return null;
    }
  }
  return text;
}

/** A static address, or the reason the text is not one. */
export function parseStaticAddress(
  text: string,
): { ok: true; address: StaticAddress } | { ok: false; reason: string } {
  const fields = text.split(',');
  if (fields.length > 3) return { ok: false, reason: 'expected <address>/<prefix>[,<gateway>[,<dns>]]' };
  const cidr = /^([0-9.]+)\/([0-9]{1,2})$/.exec(fields[0] ?? '');
  const address = cidr ? parseIpv4(cidr[1] ?? '') : null;
  const prefix = cidr ? Number(cidr[2]) : -1;
  if (!address || prefix < 1 || prefix > 32) {
    return { ok: false, reason: 'expected an IPv4 address with its prefix, like 192.168.1.20/24' };
  }
  const gatewayText = fields[1] ?? '';
  const dnsText = fields[2] ?? '';
  const gateway = gatewayText === '' ? null : parseIpv4(gatewayText);
  if (gatewayText !== '' && !gateway)
    return { ok: false, reason: `the gateway "${gatewayText}" is not an IPv4 address` };
  const dns = dnsText === '' ? null : parseIpv4(dnsText);
  if (dnsText !== '' && !dns)
    return { ok: false, reason: `the DNS server "${dnsText}" is not an IPv4 address` };
  return { ok: true, address: { address, prefix, gateway, dns } };
}

export function formatStaticAddress(address: StaticAddress): string {
  let text = `${address.address}/${address.prefix}`;
  if (address.gateway !== null || address.dns !== null) text += `,${address.gateway ?? ''}`;
  if (address.dns !== null) text += `,${address.dns}`;
  return text;
}
