// The kernel modules the loader carries, grouped by why. Hardware drivers are loaded on demand by the init
// (from the devices' modalias); the filesystems are loaded by name, because no device asks for them.

/** Where a CompactFlash card or USB stick can sit on real machines, and the disks QEMU offers. */
export const STORAGE_MODULES = [
  // IDE/CF adapters and SATA controllers, plus the SCSI disk layer libata puts them behind.
  'sd_mod',
  'ata_piix',
  'ata_generic',
  'ahci',
  'pata_amd',
  'pata_atiixp',
  'pata_jmicron',
  'pata_marvell',
  'pata_oldpiix',
  'pata_sch',
  'pata_sis',
  'pata_via',
  'sata_nv',
  'sata_sil',
  'sata_via',
  // USB card readers and sticks.
  'ehci_pci',
  'ohci_pci',
  'uhci_hcd',
  'xhci_pci',
  'usb_storage',
  'uas',
  // SD/MMC slots (a CF card in an SD adapter is rare, but SD-based boxes are common).
  'mmc_block',
  'sdhci_pci',
  'rtsx_pci_sdmmc',
  // QEMU's paravirtual disk.
  'virtio_pci',
  'virtio_blk',
];

/** A keyboard for the rescue shell on boxes with only USB ports. */
export const INPUT_MODULES = ['usbhid', 'hid_generic'];

/** Network cards, for a rescue shell that can reach the network and for later network boots. */
export const NETWORK_MODULES = ['e1000', 'e1000e', 'r8169', 'virtio_net'];

/** nfs:// sources: the NFSv4 client (its dependencies, sunrpc and friends, come with it). Loaded when used. */
export const NFS_MODULES = ['nfsv4'];

/** The card's filesystem and its code pages: loaded first, the card cannot be mounted without them. */
export const CARD_FILESYSTEM_MODULES = ['vfat', 'nls_cp437', 'nls_iso8859-1', 'nls_ascii'];

/**
 * What images need: loop devices, squashfs and ext4 (which also mounts ext2). Loaded while the card is being
 * found. crc32c_generic is listed because busybox modprobe does not follow ext4's softdep on it.
 */
export const IMAGE_FILESYSTEM_MODULES = ['loop', 'squashfs', 'crc32c_generic', 'ext4'];

/** Carried for the rescue shell (an overlay over an image, as AstLinux's own initrd makes), never loaded. */
export const SPARE_MODULES = ['overlay'];

export const ALL_MODULES = [
  ...STORAGE_MODULES,
  ...INPUT_MODULES,
  ...NETWORK_MODULES,
  ...NFS_MODULES,
  ...CARD_FILESYSTEM_MODULES,
  ...IMAGE_FILESYSTEM_MODULES,
  ...SPARE_MODULES,
];
