/**
 * The names of signed checksum lists on a card: one beside an image (`AstLinux-1.5.10.img.sha256.sig`)
 * or one for a folder (`SHA256.sig`). Apart from signed-images.ts so the boot plan can recognise them
 * without the signature code (the loader's plan bundle stays small; mujs compiles it at every start).
 */
export function isSignedListName(name: string): boolean {
  return /(^|\/)SHA256\.sig$/i.test(name) || /\.sha256\.sig$/i.test(name);
}
