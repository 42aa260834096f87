import type { Writable } from 'node:stream'
import { isSealboxError } from '../errors/index.js'
import { EXIT, exitCodeFor } from './exit-codes.js'
import { describeSystemError } from './system-error.js'

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
  const system = e instanceof Error ? describeSystemError(e) : undefined
  if (system !== undefined) {
    printError(system.message, stderr)
    return system.notFound ? EXIT.notFound : EXIT.io
  }
  if (e?.code === 'EPIPE') {
    // the reader of stdout went away: what it got is cut short, and a pipeline must see that
    printError('the output was closed before everything was written to it', stderr)
    return EXIT.io
  }
  printError(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, stderr)
  printHint('this is a bug in sealbox; please report it with the command that caused it', stderr)
  return EXIT.failure
}
