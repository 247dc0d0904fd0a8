/**
 * Writes a value as a shell word that reads back as exactly that value. Only values `checkText` accepts
 * get here, and for those no escaping is ever needed: inside double quotes the shell treats only " $ `
 * and \ specially, and inside single quotes nothing but the closing quote.
 */
import { checkText } from './checks.js';
import { SettingsError } from './settings-error.js';

export type QuoteStyle = 'double' | 'single' | 'none';

/** Characters that mean nothing to the shell in an assignment's value, so the value needs no quotes. */
const BARE = /^[A-Za-z0-9_.,:/@%+=-]+$/;

export function quoteValue(value: string, preferred: QuoteStyle = 'double'): string {
  const checked = checkText(value);
  if (!checked.ok)
    throw new SettingsError('invalid-setting', `This value cannot be written: it ${checked.reason}`);
  if (preferred === 'none' && BARE.test(value)) return value;
  if (preferred === 'single' && !value.includes("'")) return `'${value}'`;
  return `"${value}"`;
}
