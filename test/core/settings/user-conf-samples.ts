// Settings files of the kinds found on real keydisks: as a web interface saves them, edited by hand over
// years, saved by a Windows editor, a one-liner without its final newline. Written for these tests.

/** Double quotes everywhere, section comments, empty values: how a generated file looks. */
export const GENERATED = `### user.conf - start ###
###
### Network
EXTIF="eth0"
EXTIP="203.0.113.10"
EXTNM="255.255.255.0"
EXTGW="203.0.113.1"
DNS="203.0.113.53 198.51.100.53"
### Internal
INTIF="eth1"
INTIP="192.168.101.1"
INTNM="255.255.255.0"
### Services
FTPD=""
TFTPD="dnsmasq"
### user.conf - end ###
`;

/** Years of hand edits: every quoting style, export, comments after values, shell code, a multi-line value. */
export const HAND_EDITED = `## Local settings for the Hamburg office PBX
## (keep this file short: the web interface owns gui.*.conf)

HOSTNAME=pbx-hh        # renamed 2019
export DOMAIN='office.example.com'
  TIMEZONE="Europe/Berlin"
NTPSERVS="0.de.pool.ntp.org 1.de.pool.ntp.org"

# Old address, kept for reference:
#EXTIP="10.1.1.2"
EXTIP=10.1.1.2
EXTIP="10.20.30.40" ; # a second assignment after the first, with a semicolon: shell code
EXTNM=255.255.255.0
EXTGW=10.20.30.1

ISSUE="Welcome to the Hamburg PBX.
# this line is dropped by AstLinux's merge

Ask IT before changing anything."

VLANS="eth1.110 eth1.120"
INT2IP="$INTIP"
SMTP_PASS='pa"ss wo$rd'
BACKUP_DIR=/mnt/kd/backup\\ files
if [ "$HOSTNAME" = "pbx-hh" ]; then
  SIP_DOMAIN="sip.example.com"
fi
LOCALE=de_DE.UTF-8
`;

/** Saved by a Windows editor: CR LF line endings and no newline after the last line. */
export const WINDOWS = 'HOSTNAME="pbx-win"\r\n# comment\r\nDOMAIN="example.net"\r\n\r\nEXTIF="eth0"';

/** The smallest file there is. */
export const ONE_LINER = 'HOSTNAME=pbx7';

export const SAMPLES: Record<string, string> = {
  generated: GENERATED,
  'hand-edited': HAND_EDITED,
  windows: WINDOWS,
  'one-liner': ONE_LINER,
  empty: '',
};
