import type { ErrorCode } from './error-code.js'

/** The one error class of sealbox: `code` says which failure it is, `message` says it to a human. */
export class SealboxError extends Error {
  override readonly name = 'SealboxError'
  readonly code: ErrorCode
  /** A next step for the user, printed by the CLI as `sealbox: hint: …`. */
  readonly hint: string | undefined

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.hint = options.hint
  }
}

export function isSealboxError(value: unknown, code?: ErrorCode): value is SealboxError {
  return value instanceof SealboxError && (code === undefined || value.code === code)
}
