/**
 * Settings files are read and written back byte for byte. UTF-8 is what AstLinux's web interface saves;
 * a file that is not valid UTF-8 (an old Latin-1 comment) is read as Latin-1, which maps every byte to one
 * character and back, so the lines an edit does not touch still come back exactly as they were.
 */
import { SettingsError } from './settings-error.js';

export type TextEncoding = 'utf-8' | 'latin1';

export function decodeSettingsText(bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  try {
    // ignoreBOM keeps a byte-order mark in the text, so it is written back too.
    return {
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes),
      encoding: 'utf-8',
    };
  } catch {
    return { text: Buffer.from(bytes).toString('latin1'), encoding: 'latin1' };
  }
}

export function encodeSettingsText(text: string, encoding: TextEncoding): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  const wide = [...text].find((char) => (char.codePointAt(0) ?? 0) > 0xff);
  if (wide !== undefined) {
    throw new SettingsError(
      'invalid-setting',
      `The settings file is not UTF-8 text, so "${wide}" cannot be written into it. Use plain letters, or convert the file to UTF-8 on the PBX first.`,
    );
  }
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
