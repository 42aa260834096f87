import type { Writable } from 'node:stream'
import { isSealboxError } from '../../errors/index.js'
import { printError, printWarning } from '../output.js'

/** How long an interrupted write may take to clean up (abort a multipart upload) before exit. */
const CLEANUP_LIMIT_MS = 15_000

/**
 * Runs a store write that Ctrl-C or SIGTERM aborts: the write's signal fires, the store removes
 * what it had started (temp file, multipart upload), then the process exits 130 (143 for
 * SIGTERM). A second signal, or a cleanup longer than 15 s, exits at once. `beforeExit` runs
 * before the message (to erase a progress line).
 */
export async function abortOnInterrupt<T>(
  write: (signal: AbortSignal) => Promise<T>,
  options: { stderr?: Writable; beforeExit?: () => void } = {},
): Promise<T> {
  const stderr = options.stderr ?? process.stderr
  const controller = new AbortController()
  let exitCode: number | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (exitCode !== undefined) process.exit(exitCode)
    exitCode = signal === 'SIGINT' ? 130 : 143
    controller.abort(signal)
    setTimeout(() => process.exit(exitCode), CLEANUP_LIMIT_MS)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let failure: unknown
  try {
    return await write(controller.signal)
  } catch (e) {
    failure = e
    throw e
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (exitCode !== undefined) {
      options.beforeExit?.()
      if (failure === undefined) {
        printWarning('interrupted after the object was stored in full', stderr)
      } else {
        printError(isSealboxError(failure) ? failure.message : 'interrupted', stderr)
      }
      process.exit(exitCode)
    }
  }
}
