/**
 * Who a key belongs to, in a few words: signify writes "<comment> public key" into every key it makes,
 * so the last two words say nothing about who signed.
 */
export function signerName(comment: string): string {
  return comment.replace(/\s+public key$/i, '').trim();
}
