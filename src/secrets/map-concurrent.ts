/**
 * `fn` over `items` with at most `limit` calls in flight, results yielded in input order as soon
 * as each is ready. At most `limit` results are held at once, so memory stays bounded however
 * many items there are. The first failure stops new calls and is thrown.
 */
export async function* mapOrdered<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const window: Array<Promise<R>> = []
  const iterator = toAsync(items)[Symbol.asyncIterator]()
  let done = false
  try {
    for (;;) {
      while (!done && window.length < limit) {
        const next = await iterator.next()
        if (next.done === true) {
          done = true
          break
        }
        const pending = fn(next.value)
        // a rejection is observed when its turn comes; mark it handled so none is reported early
        pending.catch(() => {})
        window.push(pending)
      }
      const head = window.shift()
      if (head === undefined) return
      yield await head
    }
  } finally {
    await iterator.return?.()
  }
}

/** `fn` over every item with at most `limit` in flight; resolves to the results in input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = []
  for await (const result of mapOrdered(items, limit, fn)) out.push(result)
  return out
}

function toAsync<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterable<T> {
  if (Symbol.asyncIterator in items) return items
  return (async function* () {
    yield* items
  })()
}
