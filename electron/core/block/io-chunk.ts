/**
 * The size of one streamed piece of a file or card: large enough for the device, small enough to never hold
 * a whole image. Readers and the FAT writer use the same size so whole pieces pass from one to the other
 * without being split or copied.
 */
export const IO_CHUNK = 4 * 1024 * 1024;
