import { describe, expect, it } from 'vitest';
import { formatIndex, parseIndex, parseRemoteSource, parseSourceList } from '../../shared/remote-source.js';

const A = 'a'.repeat(40);
const B = 'B'.repeat(40);

describe('astlinux.index', () => {
  it('round-trips entries with sizes, and reads plain sha1sum lines without them', () => {
    const entries = [
      { name: 'AstLinux-1.2.3.img', sha1: A, size: 123 },
      { name: 'AstLinux-1.2.2.img', sha1: 'b'.repeat(40), size: null },
    ];
    expect(parseIndex(formatIndex(entries))).toEqual({ ok: true, entries });
    expect(parseIndex(`\ufeff${B} *AstLinux-1.0.img\r\n\r\n`)).toEqual({
      ok: true,
      entries: [{ name: 'AstLinux-1.0.img', sha1: 'b'.repeat(40), size: null }],
    });
  });

  it('refuses what would make an image silently unbootable, saying which line', () => {
    expect(parseIndex(`${A}  AstLinux-1.0.img\n${A}  notes.txt\n`)).toMatchObject({
      ok: false,
      reason: /^line 2:/,
    });
    expect(parseIndex(`${A}  ../AstLinux-1.0.img\n`)).toMatchObject({ ok: false, reason: /path/ });
    expect(parseIndex(`${A.slice(1)}  AstLinux-1.0.img\n`)).toMatchObject({ ok: false, reason: /sha1/ });
    expect(parseIndex(`${A}  AstLinux-1.0.img\n${A}  astlinux-1.0.img\n`)).toMatchObject({
      ok: false,
      reason: /twice/,
    });
    expect(parseIndex('# astlinux index 1\n')).toMatchObject({ ok: false, reason: /no image/ });
  });
});

describe('astlinux.source', () => {
  it('refuses https (the loader has no TLS) and NFS servers named by host name, saying why', () => {
    const https = parseRemoteSource('https://mirror.example/astlinux/');
    expect(https.ok).toBe(false);
    expect(!https.ok && https.reason).toContain('serve the folder over http://');
    const nfs = parseRemoteSource('nfs://files.local/export/astlinux/');
    expect(nfs.ok).toBe(false);
    expect(!nfs.ok && nfs.reason).toContain('IP address');
    expect(parseRemoteSource('nfs://192.168.1.2/export/astlinux').ok).toBe(true);
  });

  it('normalises each address to a folder URL', () => {
    expect(parseRemoteSource('HTTP://Boot.Example:8080/astlinux')).toEqual({
      ok: true,
      source: {
        scheme: 'http',
        url: 'http://boot.example:8080/astlinux/',
        host: 'boot.example',
        port: 8080,
        path: '/astlinux/',
      },
    });
    expect(parseRemoteSource('tftp://10.0.2.2')).toMatchObject({
      ok: true,
      source: { url: 'tftp://10.0.2.2/', path: '/' },
    });
    expect(parseRemoteSource('smb://host/share/')).toMatchObject({ ok: false, reason: /not supported/ });
    expect(parseRemoteSource('http://host:70000/')).toMatchObject({ ok: false, reason: /port/ });
    expect(parseRemoteSource('http://host/a/../../etc/')).toMatchObject({ ok: false });
  });

  it('puts the card last unless told where, and card=no forbids it', () => {
    const list = parseSourceList('http://10.0.2.2:8000/os/,tftp://10.0.2.2/os/');
    expect(list).toMatchObject({ ok: true, cardAllowed: true });
    expect(list.ok && list.entries.map((e) => (e.kind === 'card' ? 'card' : e.source.scheme))).toEqual([
      'http',
      'tftp',
      'card',
    ]);
    const first = parseSourceList('card,ftp://h/');
    expect(first.ok && first.entries.map((e) => e.kind)).toEqual(['card', 'remote']);
    const none = parseSourceList('nfs://10.0.0.9/export/,card=no');
    expect(none).toMatchObject({ ok: true, cardAllowed: false });
    expect(none.ok && none.entries.map((e) => e.kind)).toEqual(['remote']);
    expect(parseSourceList('card=no')).toMatchObject({ ok: false, reason: /nothing/ });
  });
});
