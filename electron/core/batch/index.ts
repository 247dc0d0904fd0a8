/**
 * Batch provisioning for resellers: one image set onto many cards (runBatch), cards provisioned as they
 * are inserted (runStation), a keydisk per card from a template and a CSV row, and a report appended per
 * card (BatchReport).
 */
export { BatchError, type BatchErrorCode } from './batch-error.js';
export {
  type BatchOptions,
  type BatchTarget,
  type CardState,
  type CardStatus,
  provisionCards,
  runBatch,
} from './batch-job.js';
export {
  BatchReport,
  type CardRecord,
  REPORT_CSV,
  REPORT_HEADER,
  REPORT_JSONL,
  RESULT_LOST,
  ROWS_CLAIMED,
  ROWS_USED,
  type RowClaim,
  readReport,
  readUsedRows,
  recordToCsv,
} from './batch-report.js';
export { type CardValues, parseCardValues, parseCsv } from './card-values.js';
export { keydiskForCard, USER_CONF } from './keydisk-template.js';
export { RowPool } from './row-pool.js';
export { runStation, type StationOptions, type StationStatus, watchFolderTargets } from './station.js';
