import { decryptWithHeader, readHeader, type MessageHeaderInfo } from '../envelope/index.js'
import { isSealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import type { ObjectInfo, ObjectStore } from '../objects/types/index.js'
import { collect } from './collect.js'
import { kmsKeyArns } from './kms-key-arns.js'
import type { Layout } from './layout.js'
import { secretContext, wrongLocation } from './secret-context.js'
import { secretNotFound } from './secret-errors.js'
import { printable } from './secret-path.js'
import { META_KEYS, META_SIZE, type SecretVersion } from './secret-version.js'
import { splitKeys } from './split-keys.js'
import { isDeleted, type VersionRef } from './version-ref.js'

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
    return kmsKeyArns(await this.readStoredHeader(this.layout.versionKey(ref.path, ref.version)))
  }

  async readAll(ref: VersionRef): Promise<Uint8Array> {
    return collect(this.decrypt(ref), this.maxSecretBytes, `secret '${printable(ref.path)}'`)
  }

  /**
   * The value of a version and the KMS key ARNs of the message it was read from: those of its
   * header as authenticated by the decryption itself.
   */
  async readWithKeys(ref: VersionRef): Promise<{ value: Uint8Array; keyArns: string[] }> {
    let keyArns: string[] = []
    const value = await collect(
      this.decrypt(ref, (header) => (keyArns = kmsKeyArns(header))),
      this.maxSecretBytes,
      `secret '${printable(ref.path)}'`,
    )
    return { value, keyArns }
  }

  /**
   * Verified plaintext of one version; a message sealed for another place is WrongLocation.
   * `onHeader` sees the message's header once it is authenticated, before any plaintext.
   */
  async *decrypt(
    ref: VersionRef,
    onHeader?: (header: MessageHeaderInfo) => void,
  ): AsyncGenerator<Uint8Array> {
    const key = this.layout.versionKey(ref.path, ref.version)
    let body: AsyncIterable<Uint8Array>
    try {
      body = (await this.objects.get(key)).body
    } catch (e) {
      if (isSealboxError(e, 'ObjectNotFound')) throw secretNotFound(ref.path, this.location)
      throw e
    }
    const options = { kms: this.kms, expectedContext: secretContext(ref.path, ref.version) }
    try {
      yield* decryptWithHeader(body, options, onHeader)
    } catch (e) {
      if (!isSealboxError(e, 'ContextMismatch')) throw e
      // the decryption reports no header that failed its checks: read the header again
      let header: MessageHeaderInfo
      try {
        header = await this.readStoredHeader(key)
      } catch {
        throw e
      }
      throw wrongLocation(ref.path, ref.version, header.encryptionContext)
    }
  }

  /** A stored message's header, unauthenticated; the object is read only as far as the header. */
  private async readStoredHeader(key: string): Promise<MessageHeaderInfo> {
    return readHeader((await this.objects.get(key)).body)
  }
}
