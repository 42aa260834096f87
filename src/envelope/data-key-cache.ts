import { zero } from '../bytes/index.js'
import { systemClock, type Clock } from '../clock/index.js'
import type { EcdsaSigningKey } from '../crypto/index.js'
import type { EncryptionContext } from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'
import type { EncryptedDataKey } from '../format/index.js'

/** What one encryption needs besides the plaintext: reusable across messages when cached. */
export interface EncryptionMaterials {
  dataKey: Uint8Array
  encryptedDataKeys: EncryptedDataKey[]
  /** The context stored in the header (with `aws-crypto-public-key` for signed suites). */
  encryptionContext: EncryptionContext
  signingKey: EcdsaSigningKey | undefined
}

export interface DataKeyCacheOptions {
  /** A cached data key is not used after this many milliseconds. */
  maxAgeMs: number
  /** ... nor for more than this many messages ... */
  maxMessages: number
  /** ... nor for more than this many plaintext bytes in total. */
  maxBytes: number
  /** Entries kept at most (least recently used goes first); default 64. */
  capacity?: number
  clock?: Clock
}

interface Entry {
  materials: EncryptionMaterials
  createdMs: number
  messages: number
  bytes: number
}

/**
 * Opt-in reuse of data keys across messages (fewer KMS calls), bounded by age, message count and
 * bytes. Safe with the message format because every message derives its own key from the data
 * key and a random 256-bit message id. Entries are keyed by everything that chooses the data
 * key: suite, encryption context, KMS keys and raw keys, so changing any of them misses.
 * Evicted data keys are zeroed.
 */
export class DataKeyCache {
  private readonly entries = new Map<string, Entry>()
  private readonly maxAgeMs: number
  private readonly maxMessages: number
  private readonly maxBytes: number
  private readonly capacity: number
  private readonly clock: Clock
  hits = 0
  misses = 0

  constructor(opts: DataKeyCacheOptions) {
    const positive = (n: number | undefined, name: string): number => {
      if (n === undefined || !Number.isFinite(n) || n <= 0) {
        throw new SealboxError('ValidationException', `the data key cache needs a positive ${name}`)
      }
      return n
    }
    this.maxAgeMs = positive(opts.maxAgeMs, 'maxAgeMs')
    this.maxMessages = Math.min(positive(opts.maxMessages, 'maxMessages'), 2 ** 32)
    this.maxBytes = Math.min(positive(opts.maxBytes, 'maxBytes'), Number.MAX_SAFE_INTEGER)
    this.capacity = positive(opts.capacity ?? 64, 'capacity')
    this.clock = opts.clock ?? systemClock
  }

  get size(): number {
    return this.entries.size
  }

  /**
   * Materials for one more message of `bytes` plaintext bytes under `key`, counting the use;
   * undefined when absent or when this use would pass a bound (the entry is then evicted).
   */
  take(key: string, bytes: number): EncryptionMaterials | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) {
      this.misses++
      return undefined
    }
    const now = this.clock.now().getTime()
    if (
      now - entry.createdMs >= this.maxAgeMs ||
      entry.messages + 1 > this.maxMessages ||
      entry.bytes + bytes > this.maxBytes
    ) {
      this.evict(key)
      this.misses++
      return undefined
    }
    entry.messages++
    entry.bytes += bytes
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.hits++
    // A copy: the caller zeroes it when done, and a later eviction cannot pull it from under a message.
    return { ...entry.materials, dataKey: new Uint8Array(entry.materials.dataKey) }
  }

  /** Stores a copy of fresh materials already used for one message of `bytes`. */
  put(key: string, materials: EncryptionMaterials, bytes: number): boolean {
    if (bytes > this.maxBytes) return false
    this.evict(key)
    const copy = { ...materials, dataKey: new Uint8Array(materials.dataKey) }
    this.entries.set(key, {
      materials: copy,
      createdMs: this.clock.now().getTime(),
      messages: 1,
      bytes,
    })
    while (this.entries.size > this.capacity) {
      this.evict(this.entries.keys().next().value!)
    }
    return true
  }

  /** Drops every entry, zeroing the data keys. */
  clear(): void {
    for (const key of [...this.entries.keys()]) this.evict(key)
  }

  private evict(key: string): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    zero(entry.materials.dataKey)
  }
}
