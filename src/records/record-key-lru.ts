import { zero } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'

export interface RecordKeyLruOptions {
  /** A cached data key is not used after this many milliseconds. */
  maxAgeMs: number
  /** Keys held at most; the least recently used goes first. */
  capacity: number
  now?: () => number
}

/**
 * Opt-in cache of unwrapped record data keys. It saves KMS calls at the price of the audit
 * trail: a read served from the cache makes no KMS call and so leaves no audit event.
 * Evicted and expired keys are zeroed; callers always receive a copy.
 */
export class RecordKeyLru {
  private readonly entries = new Map<string, { key: Uint8Array; createdMs: number }>()
  private readonly now: () => number
  hits = 0
  misses = 0

  constructor(private readonly opts: RecordKeyLruOptions) {
    if (!(opts.maxAgeMs > 0) || !(opts.capacity >= 1)) {
      throw new SealboxError(
        'ValidationException',
        'the record key cache needs a positive maxAgeMs and capacity',
      )
    }
    this.now = opts.now ?? Date.now
  }

  get size(): number {
    return this.entries.size
  }

  get(id: string): Uint8Array | undefined {
    const e = this.entries.get(id)
    if (!e) {
      this.misses++
      return undefined
    }
    this.entries.delete(id)
    if (this.now() - e.createdMs >= this.opts.maxAgeMs) {
      zero(e.key)
      this.misses++
      return undefined
    }
    this.entries.set(id, e)
    this.hits++
    return e.key.slice()
  }

  put(id: string, key: Uint8Array): void {
    const old = this.entries.get(id)
    if (old) {
      zero(old.key)
      this.entries.delete(id)
    }
    this.entries.set(id, { key: key.slice(), createdMs: this.now() })
    while (this.entries.size > this.opts.capacity) {
      const [oldest, e] = this.entries.entries().next().value as [string, { key: Uint8Array }]
      zero(e.key)
      this.entries.delete(oldest)
    }
  }

  clear(): void {
    for (const e of this.entries.values()) zero(e.key)
    this.entries.clear()
  }
}
