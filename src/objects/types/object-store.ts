/** What a store knows about one object. `etag` is opaque: it changes whenever the object does. */
export interface ObjectInfo {
  key: string
  size: number
  lastModified: Date
  etag: string
  metadata?: Record<string, string>
}

export interface PutOptions {
  /** `*`: fail with `PreconditionFailed` if the key exists. */
  ifNoneMatch?: '*'
  /** Fail with `PreconditionFailed` unless the current etag is this one. */
  ifMatch?: string
  metadata?: Record<string, string>
  /** Known body length, when there is one (lets a store skip multipart for small bodies). */
  contentLength?: number
  /**
   * Stops the write, even while the body is waiting for its next chunk: the put then rejects
   * with `Interrupted` once nothing of the write is left in the store (no temp file, no
   * multipart upload). A write that completed before the abort stays.
   */
  signal?: AbortSignal
}

export interface GetOptions {
  /** Inclusive byte range, as in HTTP Range. */
  range?: { start: number; end?: number }
}

export interface ListOptions {
  prefix?: string
  delimiter?: string
  /** Objects per page (a store may return fewer). */
  pageSize?: number
}

export interface ListPage {
  objects: ObjectInfo[]
  commonPrefixes: string[]
}

export type Body = AsyncIterable<Uint8Array> | Uint8Array

/**
 * The object store port: a local folder or an S3 bucket behind one interface. Keys are
 * `/`-separated relative names. Missing objects throw `ObjectNotFound`; failed preconditions
 * throw `PreconditionFailed`.
 */
export interface ObjectStore {
  /** Where this store points, for messages: `file:///…/` or `s3://bucket/prefix/`. */
  readonly location: string
  /** False when the store cannot refuse a write atomically (a documented fallback is used). */
  readonly supportsConditionalWrites: boolean
  put(key: string, body: Body, options?: PutOptions): Promise<{ etag: string }>
  get(
    key: string,
    options?: GetOptions,
  ): Promise<{ info: ObjectInfo; body: AsyncIterable<Uint8Array> }>
  head(key: string): Promise<ObjectInfo | undefined>
  /** Every page until the listing ends, however many objects there are. */
  list(options?: ListOptions): AsyncIterable<ListPage>
  delete(key: string, options?: { ifMatch?: string }): Promise<void>
}
