/**
 * What each command is called, how it is used and what it does: all the --help text, kept apart from the
 * commands themselves so that listing them loads none of their code (a command is imported when it runs).
 */
const KEYDISK_USAGE = [
  "keydisk create <card> [--size N] [--force] [--yes] [--confirm-name NAME]  a new ASTKD keydisk: kd.img, or the card's ASTKD partition",
  'keydisk create <file|drive> --raw [--size N] [--force] [--yes]  …or a whole image file or drive of its own',
  'keydisk import <card> <kd.img> [--force] [--yes] [--confirm-name NAME]  put an existing keydisk on the card (kd.img or its ASTKD partition)',
  "keydisk export <card> <file> [--force]                  copy the card's keydisk off it",
];

const SETTINGS_USAGE = [
  'settings show <card> [--json]                            the PBX settings on the card’s keydisk',
  'settings set <card> NAME=value… [--yes] [--confirm-name NAME]  e.g. HOSTNAME=pbx1 EXTIP=10.0.0.5/24',
  'settings unset <card> NAME… [--yes] [--confirm-name NAME]',
];

const KEY_USAGE = [
  'key new <name> [--comment TEXT]             make <name>.pub and <name>.sec (signify format, no passphrase)',
  'key add <card> <key.pub>… [--yes]          trust this key for signed images on the card',
  'key remove <card> <key number|name>… [--yes]',
  'key list <card>',
];

export const ABOUT = {
  ui: {
    name: 'ui',
    usage: 'ui [--port N] [--no-open]',
    summary: 'open the app in your web browser (served on this computer only, until you press Ctrl-C)',
  },
  drives: {
    name: 'drives',
    usage: 'drives [--all] [--image FILE…] [--needs SIZE]',
    summary: 'list the drives astcard could write, and why some are hidden, guarded or refused',
  },
  prepare: {
    name: 'prepare',
    usage:
      'prepare <target> --image FILE|ARCHIVE|URL [--image …] [--keydisk FILE | --new-keydisk [--keydisk-size N]] [--writable-partition N] [--keydisk-partition N] [--layout mbr|superfloppy] [--size BYTES [--force]] [--console DEV…] [--onfail shell|poweroff|reboot] [--yes] [--confirm-name NAME]',
    summary: 'erase a card (or make a new card image) and put the loader and images on it',
  },
  inspect: {
    name: 'inspect',
    usage: 'inspect <target> [--quick]',
    summary: 'show what is on a card, which image it will boot, and what is wrong with it',
  },
  add: {
    name: 'add',
    usage: 'add <target> <image|archive|url>… [--keep N] [--yes] [--confirm-name NAME]',
    summary: 'copy AstLinux images (files, .tar.gz/.zip archives or http(s) URLs) onto a card, safely',
  },
  remove: {
    name: 'remove',
    usage: 'remove <target> <version|image>… [--yes] [--confirm-name NAME]',
    summary: 'remove images from a card (checksum file first, so a half-removed image never boots)',
  },
  revert: {
    name: 'revert',
    usage: 'revert <target> [--yes] [--confirm-name NAME]',
    summary:
      'go back to the release the card ran before its last upgrade (os/Xver), once it checks out: RUNNIX cards switch os/ver, cards with our loader pin it',
  },
  verify: {
    name: 'verify',
    usage: 'verify <target>',
    summary: 'read back every image on a card and check it against its checksum',
  },
  repair: {
    name: 'repair',
    usage: 'repair <target> [--yes] [--confirm-name NAME]',
    summary: "repair a card's damaged file system, which every other command refuses to write to",
  },
  tryBoot: {
    name: 'try',
    usage: 'try <card> [--firmware bios|uefi] [--timeout SECONDS] [--json]',
    summary:
      'boot a card in a virtual machine (nothing on it changes) and check it starts what astcard predicts',
  },
  loader: {
    name: 'loader',
    usage: 'loader update <target> [--force] [--yes] [--confirm-name NAME]',
    summary: "put this app's loader on a card (the old one stays as a fallback) and repair SYSLINUX",
  },
  keydisk: {
    name: 'keydisk',
    usage: KEYDISK_USAGE.join('\n  astcard '),
    summary: 'create, import or export the AstLinux keydisk (ext2 labelled ASTKD)',
  },
  settings: {
    name: 'settings',
    usage: SETTINGS_USAGE.join('\n  astcard '),
    summary: 'show or change the PBX settings (host name, addresses, time zone…) on a card’s keydisk',
  },
  batch: {
    name: 'batch',
    usage:
      'batch <target>… | --station (--watch DIR | --drives) --count N  --image FILE|ARCHIVE|URL [--image …] --report DIR [--keydisk-template kd.img | --new-keydisk] [--csv values.csv] [--name NAME] [--size BYTES] [--min-size N] [--max-size N] [--only-empty | --only-astlinux] [--yes]',
    summary:
      'prepare many cards at once (or each card as it is inserted), with a keydisk per card and a report',
  },
  publish: {
    name: 'publish',
    usage: 'publish <folder> <image|archive|url>…',
    summary: 'write a folder to serve for network boot: images, their .sha1 files and astlinux.index',
  },
  source: {
    name: 'source',
    usage:
      'source show <target> | source set <target> <url>… [--no-card] [--ip <addr/prefix[,gw[,dns]]> | --dhcp] [--yes] [--confirm-name NAME] | source clear <target> [--yes]',
    summary: 'where a card boots from over the network (http, ftp, tftp, nfs), its own images last',
  },
  key: {
    name: 'key',
    usage: KEY_USAGE.join('\n  astcard '),
    summary: 'make signing keys, and choose which keys a card trusts for signed images',
  },
  sign: {
    name: 'sign',
    usage: 'sign <key.sec> <image>…',
    summary:
      'sign images for cards that trust your key: writes <image>.sha256.sig beside each (signify format)',
  },
} as const satisfies Record<string, { name: string; usage: string; summary: string }>;
