export { SftpTransferError, type SftpErrorCode } from './errors.js';
export { fingerprintOf } from './fingerprint.js';
export { transferFiles } from './transfer.js';
export type { SftpTarget, TransferFile, TransferOptions, TransferResult } from './types.js';
