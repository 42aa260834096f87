/**
 * Maps with at most `limit` calls in flight; results keep the input order. On a failure no new
 * call starts, the calls in flight finish, then the first error is thrown (so no result is
 * produced after the caller has cleaned up).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const i = next++
      try {
        out[i] = await fn(items[i]!, i)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  if (failure) throw failure.error
  return out
}
