export * from './card-removed.js';
export * from './execute.js';
export * from './helper-spec.js';
export * from './jobs.js';
export * from './launch.js';
export * from './protocol.js';
export * from './writer-client.js';
export * from './writer-error.js';
