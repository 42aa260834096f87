import type { Writable } from 'node:stream'
import { isSealboxError } from '../errors/index.js'
import { EXIT, exitCodeFor } from './exit-codes.js'

/**
 * The CLI's voice: data on stdout, everything else on stderr as `sealbox: error: …`,
 * `sealbox: hint: …`, `sealbox: warning: …` (lowercase, no trailing period).
 */
export function printError(message: string, stderr: Writable = process.stderr): void {
  stderr.write(`sealbox: error: ${message}\n`)
}

export function printHint(message: string, stderr: Writable = process.stderr): void {
  stderr.write(`sealbox: hint: ${message}\n`)
}

export function printWarning(message: string, stderr: Writable = process.stderr): void {
  stderr.write(`sealbox: warning: ${message}\n`)
}

/** Reports any thrown value and returns the exit code for it. Stack traces only for bugs. */
export function reportFailure(error: unknown, stderr: Writable = process.stderr): number {
  if (isSealboxError(error)) {
    printError(error.message, stderr)
    if (error.hint !== undefined) printHint(error.hint, stderr)
    return exitCodeFor(error.code)
  }
  const e = error as NodeJS.ErrnoException
  if (
    e?.code === 'ENOENT' ||
    e?.code === 'EACCES' ||
    e?.code === 'EISDIR' ||
    e?.code === 'ENOSPC'
  ) {
    printError(e.message, stderr)
    return e.code === 'ENOENT' ? EXIT.notFound : EXIT.io
  }
  if (e?.code === 'EPIPE') return EXIT.ok
  printError(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, stderr)
  printHint('this is a bug in sealbox; please report it with the command that caused it', stderr)
  return EXIT.failure
}
