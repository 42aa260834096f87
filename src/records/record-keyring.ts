import { zero } from '../bytes/index.js'
import { serializeEncryptionContext, toBase64, type EncryptionContext } from '../encoding/index.js'
import { isSealboxError, SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import { mapLimit } from './map-limit.js'
import type { RecordKeyLru } from './record-key-lru.js'
import { decodeWrappedKeys, encodeWrappedKeys, type WrappedKey } from './wrapped-keys.js'

export interface RecordKeyringOptions {
  kms: KmsPort
  /** KMS keys every new data key is wrapped under; the first generates it. */
  keyIds: readonly string[]
  cache?: RecordKeyLru | undefined
  /** KMS calls in flight at most when a page of records is opened (default 8). */
  concurrency?: number
}

export interface KeyRequest {
  stored: string
  context: EncryptionContext
  /** Names the record in errors ("User 123"). */
  where: string
}

/** Creates and opens records' data keys through the KMS port. Callers zero what they receive. */
export class RecordKeyring {
  readonly kms: KmsPort
  readonly keyIds: readonly string[]
  readonly cache: RecordKeyLru | undefined
  readonly concurrency: number

  constructor(opts: RecordKeyringOptions) {
    this.kms = opts.kms
    this.keyIds = opts.keyIds
    this.cache = opts.cache
    this.concurrency = opts.concurrency ?? 8
  }

  /** GenerateDataKey under the first key, Encrypt under each further key: one data key, n wraps. */
  async create(context: EncryptionContext): Promise<{ dataKey: Uint8Array; stored: string }> {
    const [first, ...rest] = this.keyIds
    if (first === undefined) {
      throw new SealboxError(
        'ValidationException',
        'records need at least one KMS key id to wrap data keys under',
      )
    }
    const generated = await this.kms.generateDataKey({
      keyId: first,
      keySpec: 'AES_256',
      encryptionContext: context,
    })
    const dataKey = generated.plaintext
    try {
      const wrapped: WrappedKey[] = [
        { keyArn: generated.keyId, ciphertextBlob: generated.ciphertextBlob },
      ]
      for (const keyId of rest) {
        const e = await this.kms.encrypt({ keyId, plaintext: dataKey, encryptionContext: context })
        wrapped.push({ keyArn: e.keyId, ciphertextBlob: e.ciphertextBlob })
      }
      const stored = encodeWrappedKeys(wrapped)
      this.cache?.put(cacheId(stored, context), dataKey)
      return { dataKey, stored }
    } catch (err) {
      zero(dataKey)
      throw err
    }
  }

  /** Unwraps a record's data key: the cache, else each wrapped copy in turn until one opens. */
  async open(req: KeyRequest): Promise<Uint8Array> {
    const id = cacheId(req.stored, req.context)
    const cached = this.cache?.get(id)
    if (cached) return cached
    const wrapped = decodeWrappedKeys(req.stored, req.where)
    let firstOther: unknown
    for (const w of wrapped) {
      try {
        const out = await this.kms.decrypt({
          ciphertextBlob: w.ciphertextBlob,
          encryptionContext: req.context,
          keyId: w.keyArn,
        })
        this.cache?.put(id, out.plaintext)
        return out.plaintext
      } catch (err) {
        if (isSealboxError(err) && err.code === 'InvalidCiphertextException') continue
        firstOther ??= err
      }
    }
    if (firstOther !== undefined) throw firstOther
    throw new SealboxError(
      'RecordTampered',
      `the data key of ${req.where} does not open under its encryption context: the key column was altered or copied from another record`,
    )
  }

  /**
   * Opens the keys of a page: one KMS call per distinct (key column, context), at most
   * `concurrency` in flight. Returns a map from request to data key; `release()` zeroes them all.
   */
  async openMany(reqs: readonly KeyRequest[]): Promise<OpenedKeys> {
    const distinct = new Map<string, KeyRequest>()
    for (const r of reqs) distinct.set(cacheId(r.stored, r.context), r)
    const opened = new OpenedKeys()
    try {
      await mapLimit([...distinct.entries()], this.concurrency, async ([id, r]) => {
        opened.set(id, await this.open(r))
      })
    } catch (err) {
      opened.release()
      throw err
    }
    return opened
  }
}

export class OpenedKeys {
  private readonly keys = new Map<string, Uint8Array>()

  set(id: string, key: Uint8Array): void {
    this.keys.set(id, key)
  }

  get(stored: string, context: EncryptionContext): Uint8Array {
    const k = this.keys.get(cacheId(stored, context))
    if (!k) throw new SealboxError('InternalError', 'a record key was not opened')
    return k
  }

  release(): void {
    for (const k of this.keys.values()) zero(k)
    this.keys.clear()
  }
}

export function cacheId(stored: string, context: EncryptionContext): string {
  return `${stored}\u0000${toBase64(serializeEncryptionContext(context))}`
}
