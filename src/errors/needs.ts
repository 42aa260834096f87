import type { ErrorCode } from './error-code.js'
import { SealboxError } from './sealbox-error.js'

/** Precondition check that narrows types: `needs(x.length > 0, 'ValidationException', '…')`. */
export function needs(condition: unknown, code: ErrorCode, message: string): asserts condition {
  if (!condition) throw new SealboxError(code, message)
}
