export { SealboxError, isSealboxError } from './sealbox-error.js'
export { ERROR_CODES, type ErrorCode } from './error-code.js'
export { needs } from './needs.js'
