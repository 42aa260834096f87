import { concatBytes, singleChunk, zero } from '../bytes/index.js'
import type { EncryptionContext } from '../encoding/index.js'
import { decryptStream, readHeader } from '../envelope/index.js'
import { isSealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import type { ObjectInfo, ObjectStore } from '../objects/types/index.js'
import { collect } from './collect.js'
import { headerKeyArns } from './header-key-arns.js'
import type { Layout } from './layout.js'
import { secretContext, wrongLocation } from './secret-context.js'
import { secretNotFound } from './secret-errors.js'
import { printable } from './secret-path.js'
import { META_KEYS, META_SIZE, type SecretVersion } from './secret-version.js'
import { splitKeys } from './split-keys.js'
import { isDeleted, type VersionRef } from './version-ref.js'

const HEADER_PROBE_BYTES = 65_536

export interface VersionReaderOptions {
  objects: ObjectStore
  layout: Layout
  kms: KmsPort
  /** Where the store is, for messages (`SecretStore.location`). */
  location: string
  maxSecretBytes: number
}

/** Reads stored versions of secrets: their metadata, key ARNs and verified plaintext. */
export class VersionReader {
  private readonly objects: ObjectStore
  private readonly layout: Layout
  private readonly kms: KmsPort
  private readonly location: string
  private readonly maxSecretBytes: number

  constructor(options: VersionReaderOptions) {
    this.objects = options.objects
    this.layout = options.layout
    this.kms = options.kms
    this.location = options.location
    this.maxSecretBytes = options.maxSecretBytes
  }

  /** What is known of a version; `details` fetches its metadata when the listing lacked it. */
  async describe(ref: VersionRef, details: boolean): Promise<SecretVersion> {
    const base = {
      path: ref.path,
      version: ref.version,
      storedSize: ref.info.size,
      modified: ref.info.lastModified,
      etag: ref.info.etag,
    }
    if (isDeleted(ref.info)) return { ...base, deleted: true, size: 0, keyArns: [] }
    const info = details ? await this.withMetadata(ref) : ref.info
    const size = Number(info.metadata?.[META_SIZE])
    return {
      ...base,
      deleted: false,
      size: Number.isSafeInteger(size) && size >= 0 ? size : ref.info.size,
      keyArns: details ? await this.keyArnsOf(ref, info) : splitKeys(info.metadata?.[META_KEYS]),
    }
  }

  /** The version's object info with its metadata (listings do not carry it on S3). */
  async withMetadata(ref: VersionRef): Promise<ObjectInfo> {
    if (ref.info.metadata !== undefined) return ref.info
    return (await this.objects.head(this.layout.versionKey(ref.path, ref.version))) ?? ref.info
  }

  /** Key ARNs from the object's metadata, else from the message's (unauthenticated) header. */
  async keyArnsOf(ref: VersionRef, info: ObjectInfo): Promise<string[]> {
    const fromMetadata = splitKeys(info.metadata?.[META_KEYS])
    if (fromMetadata.length > 0) return fromMetadata
    const { body } = await this.objects.get(this.layout.versionKey(ref.path, ref.version), {
      range: { start: 0, end: HEADER_PROBE_BYTES - 1 },
    })
    return headerKeyArns(body)
  }

  async readAll(ref: VersionRef): Promise<Uint8Array> {
    return collect(this.decrypt(ref), this.maxSecretBytes, `secret '${printable(ref.path)}'`)
  }

  /**
   * The value of a version and the KMS key ARNs of the message it was read from. The ARNs come
   * from the very bytes that were decrypted, whose header (data-key entries included) was
   * authenticated on the way.
   */
  async readWithKeys(ref: VersionRef): Promise<{ value: Uint8Array; keyArns: string[] }> {
    const head: Uint8Array[] = []
    let seen = 0
    const value = await collect(
      this.decrypt(ref, (chunk) => {
        if (seen >= HEADER_PROBE_BYTES) return
        head.push(chunk.slice())
        seen += chunk.length
      }),
      this.maxSecretBytes,
      `secret '${printable(ref.path)}'`,
    )
    try {
      return { value, keyArns: await headerKeyArns(singleChunk(concatBytes(...head))) }
    } catch (e) {
      zero(value)
      throw e
    }
  }

  /**
   * Verified plaintext of one version; a message sealed for another place is WrongLocation.
   * `tap` sees the sealed bytes as they are read.
   */
  async *decrypt(ref: VersionRef, tap?: (chunk: Uint8Array) => void): AsyncGenerator<Uint8Array> {
    const key = this.layout.versionKey(ref.path, ref.version)
    let body: AsyncIterable<Uint8Array>
    try {
      body = (await this.objects.get(key)).body
    } catch (e) {
      if (isSealboxError(e, 'ObjectNotFound')) throw secretNotFound(ref.path, this.location)
      throw e
    }
    if (tap !== undefined) body = tapped(body, tap)
    try {
      yield* decryptStream(body, {
        kms: this.kms,
        expectedContext: secretContext(ref.path, ref.version),
      })
    } catch (e) {
      if (!isSealboxError(e, 'ContextMismatch')) throw e
      let header: { encryptionContext: EncryptionContext }
      try {
        const probe = await this.objects.get(key, {
          range: { start: 0, end: HEADER_PROBE_BYTES - 1 },
        })
        header = await readHeader(probe.body)
      } catch {
        throw e
      }
      throw wrongLocation(ref.path, ref.version, header.encryptionContext)
    }
  }
}

async function* tapped(
  source: AsyncIterable<Uint8Array>,
  tap: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    tap(chunk)
    yield chunk
  }
}
