import type { AtomicFile } from '../../file/index.js'

/**
 * While an output file is being written, Ctrl-C or SIGTERM removes its temporary file before the
 * process exits, so an interrupted command leaves nothing behind.
 */
export function interruptGuard(): { onStart: (output: AtomicFile) => void; release: () => void } {
  let current: AtomicFile | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    current?.abortSync()
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    onStart: (output) => {
      current = output
    },
    release: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
