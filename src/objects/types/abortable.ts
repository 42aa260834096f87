import { SealboxError } from '../../errors/index.js'

/**
 * The chunks of `body` until `signal` aborts; then it throws the abort's reason at once, also
 * while it is waiting for a chunk (a slow pipe would otherwise hold an interrupted write open).
 * The source is closed when the consumer stops early; after an abort its pending read is left.
 */
export async function* abortable(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  signal.throwIfAborted()
  const it = body[Symbol.asyncIterator]()
  let onAbort: () => void = () => undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => undefined)
  let ended = false
  try {
    for (;;) {
      signal.throwIfAborted()
      const next = await Promise.race([it.next(), aborted])
      if (next.done === true) {
        ended = true
        return
      }
      yield next.value
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
    // a return queued behind a read that never ends would never settle: do not wait for it then
    if (!ended) {
      if (signal.aborted) void it.return?.()?.catch(() => undefined)
      else await it.return?.()
    }
  }
}

/** What a store throws for a write stopped by its `signal`. */
export function interrupted(where: string, cause: unknown): SealboxError {
  return new SealboxError(
    'Interrupted',
    `the write of ${where} was interrupted: nothing was stored`,
    {
      cause,
    },
  )
}

/** Throws `interrupted` when `signal` has aborted already. */
export function refuseIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted === true) throw interrupted(where, signal.reason)
}
