#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages astcard needs to build its loader and run its tests.
# Idempotent: apt-get skips what is already there. Run as root (or through sudo).
set -euo pipefail

packages=(
  # build and test the card stack: FAT oracles, SYSLINUX from Debian, loop devices
  dosfstools mtools syslinux syslinux-common util-linux e2fsprogs
  # dosfstools' own damaged volumes are rebuilt from its source's hex dumps
  xxd
  # the loader build: unpack Debian packages, make the initramfs, resolve kernel modules, test images
  dpkg cpio zstd xz-utils gzip kmod squashfs-tools mujs binutils
  # boot tests under software emulation; a user-space NFS server for the nfs:// network-boot test
  qemu-system-x86 nfs-ganesha nfs-ganesha-vfs
  # UEFI: EFI SYSLINUX for the cards, OVMF firmware for the UEFI boot tests
  syslinux-efi ovmf
  # signed images: Debian's signify, the oracle for astcard's own signify-compatible signatures
  signify-openbsd
  # UI tests: Playwright drives Debian's Chromium (never a downloaded browser)
  chromium fonts-dejavu-core
  # native npm modules (drivelist builds from source when its prebuilt binary cannot be fetched)
  g++ make python3
  ca-certificates
)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-debian: run me as root (sudo bash $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "setup-debian: ${#packages[@]} packages present"
