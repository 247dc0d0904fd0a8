export * from './boot-plan.js';
export * from './checksums.js';
export * from './errors.js';
export * from './handoff.js';
export * from './kernel-cmdline.js';
export * from './loader-config.js';
export * from './syslinux-config.js';
export * from './versions.js';
