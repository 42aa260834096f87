import { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3'
import { randomBytes } from '../../crypto/index.js'
import { SealboxError } from '../../errors/index.js'
import {
  abortable,
  checkObjectKey,
  interrupted,
  refuseIfAborted,
  RESERVED_NAME_PREFIX,
  type Body,
  type GetOptions,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
} from '../types/index.js'
import { s3Error } from './s3-errors.js'
import { s3Settings, type S3Settings } from './s3-settings.js'

/** Multipart part size and parts in flight: a streamed upload holds at most about 4 parts. */
export const PART_SIZE = 8 * 1024 * 1024
export const QUEUE_SIZE = 3

export interface S3ObjectStoreOptions {
  bucket: string
  /** Region if known (else the SDK's chain: AWS_REGION, profile). */
  region?: string
  /** Where SEALBOX_S3_* and AWS_ENDPOINT_URL(_S3) are read; default `process.env`. */
  env?: NodeJS.ProcessEnv
  /** A client to use instead of one built from the settings. */
  client?: S3Client
}

// one probe per endpoint and bucket per process, shared by every store opened on them
const probes = new Map<string, Promise<boolean>>()

/**
 * The object store port over an S3 bucket (AWS or any S3-compatible endpoint).
 *
 * Conditional writes: where the store honours If-None-Match / If-Match they are sent with the
 * write and the store decides atomically. Where it does not (`supportsConditionalWrites`
 * false), the precondition is checked with a HEAD before the write and the object is HEADed
 * again afterwards; a concurrent writer between the two can still be overwritten (a race
 * window of one round trip), which the re-check reports as `PreconditionFailed` after the fact.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string
  readonly bucket: string
  readonly settings: S3Settings
  private readonly client: S3Client
  private conditional: boolean | undefined

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket
    this.location = `s3://${options.bucket}/`
    this.settings = s3Settings(options.env ?? process.env, options.region)
    this.conditional = this.settings.conditionalWrites
    this.client = options.client ?? createClient(this.settings)
  }

  /** Opens a store; the SDK is loaded only by importing this module. */
  static open(options: S3ObjectStoreOptions): Promise<S3ObjectStore> {
    return Promise.resolve(new S3ObjectStore(options))
  }

  /** Known after the first conditional write on a custom endpoint (probed); false until then. */
  get supportsConditionalWrites(): boolean {
    return this.conditional === true
  }

  /** Sends If-None-Match to a probe key twice: a store that refuses the second honours it. */
  async probeConditionalWrites(): Promise<boolean> {
    if (this.conditional !== undefined) return this.conditional
    const id = `${this.settings.endpoint ?? 'aws'}|${this.bucket}`
    let probe = probes.get(id)
    if (probe === undefined) {
      probe = this.runProbe()
      probes.set(id, probe)
      probe.catch(() => probes.delete(id))
    }
    this.conditional = await probe
    return this.conditional
  }

  private async runProbe(): Promise<boolean> {
    const key = `${RESERVED_NAME_PREFIX}probe-${Buffer.from(randomBytes(12)).toString('hex')}`
    const where = this.where(key)
    const put = (): Promise<unknown> =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: new Uint8Array(0),
          IfNoneMatch: '*',
        }),
      )
    try {
      await put().catch((e: unknown) => {
        throw s3Error(e, 'probe write', where)
      })
      try {
        await put()
        return false
      } catch (e) {
        const mapped = s3Error(e, 'probe write', where)
        if (mapped.code === 'PreconditionFailed') return true
        throw mapped
      }
    } finally {
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))
        .catch(() => undefined)
    }
  }

  async put(key: string, body: Body, options: PutOptions = {}): Promise<{ etag: string }> {
    checkObjectKey(key)
    const where = this.where(key)
    const signal = options.signal
    refuseIfAborted(signal, where)
    const conditional = options.ifNoneMatch !== undefined || options.ifMatch !== undefined
    const atomic = conditional && (await this.probeConditionalWrites())
    if (conditional && !atomic) this.checkPrecondition(key, await this.head(key), options)
    const input: PutObjectCommandInput = { Bucket: this.bucket, Key: key }
    if (options.metadata !== undefined) input.Metadata = options.metadata
    if (atomic && options.ifNoneMatch !== undefined) input.IfNoneMatch = options.ifNoneMatch
    if (atomic && options.ifMatch !== undefined) input.IfMatch = options.ifMatch
    // without conditional writes, check again once the body has been read: the window left
    // is the last part's upload and the completion
    const recheck = async (): Promise<void> =>
      this.checkPrecondition(key, await this.head(key), options)
    let etag: string | undefined
    try {
      // a body that fits in one part goes in one PutObject (lib-storage is loaded only for more)
      const head =
        body instanceof Uint8Array
          ? { bytes: body, rest: undefined }
          : await firstPart(signal === undefined ? body : abortable(body, signal))
      if (head.rest === undefined && head.bytes.length <= PART_SIZE) {
        if (conditional && !atomic && !(body instanceof Uint8Array)) await recheck()
        const out = await this.client.send(
          new PutObjectCommand({ ...input, Body: head.bytes, ContentLength: head.bytes.length }),
          signal === undefined ? {} : { abortSignal: signal },
        )
        etag = out.ETag
      } else {
        const { Upload } = await import('@aws-sdk/lib-storage')
        // on abort the body fails (`rest` is abortable): lib-storage then lets the parts in
        // flight finish, sends AbortMultipartUpload and only then rejects done(). Upload.abort()
        // would reject done() at once and abort the multipart upload only once the body ends.
        const chunks = prepend(head.bytes, head.rest)
        const upload = new Upload({
          client: this.client,
          params: {
            ...input,
            Body: Readable.from(conditional && !atomic ? checkedAtEnd(chunks, recheck) : chunks, {
              objectMode: false,
            }),
          },
          partSize: PART_SIZE,
          queueSize: QUEUE_SIZE,
          leavePartsOnError: false,
        })
        const out = await upload.done()
        etag = out.ETag
      }
    } catch (e) {
      if (signal?.aborted === true) throw interrupted(where, e)
      const mapped = s3Error(e, 'write', where)
      // S3 answers If-Match on a missing key with 404; the port says PreconditionFailed
      if (mapped.code === 'ObjectNotFound' && options.ifMatch !== undefined) {
        throw new SealboxError(
          'PreconditionFailed',
          `the write of ${where} was refused: it does not exist`,
          {
            cause: e,
          },
        )
      }
      throw mapped
    }
    if (etag === undefined) etag = (await this.head(key))?.etag
    if (etag === undefined)
      throw new SealboxError('IoError', `the store did not confirm the write of ${where}`)
    if (conditional && !atomic) {
      // the documented fallback: a write that raced ours in the window is reported, not hidden
      const after = await this.head(key)
      if (after?.etag !== etag) {
        throw new SealboxError(
          'PreconditionFailed',
          `another writer replaced ${where} while it was being written (this store has no conditional writes)`,
        )
      }
    }
    return { etag }
  }

  async get(
    key: string,
    options: GetOptions = {},
  ): Promise<{ info: ObjectInfo; body: AsyncIterable<Uint8Array> }> {
    checkObjectKey(key)
    const where = this.where(key)
    const range = options.range
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end ?? ''}` }),
        }),
      )
      const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1]
      const info: ObjectInfo = {
        key,
        size: total !== undefined ? Number(total) : (out.ContentLength ?? 0),
        lastModified: out.LastModified ?? new Date(0),
        etag: out.ETag ?? '',
      }
      if (out.Metadata !== undefined && Object.keys(out.Metadata).length > 0)
        info.metadata = { ...out.Metadata }
      let body = (out.Body ?? Readable.from([])) as AsyncIterable<Uint8Array>
      if (range !== undefined) {
        // some S3-compatible stores ignore the Range header, or part of it (s3rver sends all of
        // `bytes=0-0`): cut the asked range out of what was sent
        const sent = /^bytes (\d+)-(\d+)\//.exec(out.ContentRange ?? '')
        const sentStart = sent === null ? 0 : Number(sent[1])
        const sentEnd = sent === null ? info.size - 1 : Number(sent[2])
        const end = Math.min(range.end ?? info.size - 1, info.size - 1)
        if (range.start >= info.size) {
          await drain(body)
          throw new SealboxError('InvalidRange', `the requested range is outside ${where}`)
        }
        if (sentStart !== range.start || sentEnd !== end) {
          if (sentStart > range.start || sentEnd < end) {
            await drain(body)
            throw new SealboxError(
              'IoError',
              `the store sent bytes ${sentStart}-${sentEnd} of ${where}, not the range asked for`,
            )
          }
          body = slice(body, range.start - sentStart, end - sentStart)
        }
      }
      return { info, body: mapStreamErrors(body, where) }
    } catch (e) {
      throw s3Error(e, 'read', where)
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    checkObjectKey(key)
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))
      const info: ObjectInfo = {
        key,
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        etag: out.ETag ?? '',
      }
      if (out.Metadata !== undefined && Object.keys(out.Metadata).length > 0)
        info.metadata = { ...out.Metadata }
      return info
    } catch (e) {
      const mapped = s3Error(e, 'head', this.where(key))
      if (mapped.code === 'ObjectNotFound') return undefined
      throw mapped
    }
  }

  async *list(options: ListOptions = {}): AsyncIterable<ListPage> {
    const where = this.where(options.prefix ?? '')
    let token: string | undefined
    do {
      let out
      try {
        out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            ...(options.prefix ? { Prefix: options.prefix } : {}),
            ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
            ...(options.pageSize === undefined
              ? {}
              : { MaxKeys: Math.min(1000, Math.max(1, options.pageSize)) }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        )
      } catch (e) {
        throw s3Error(e, 'listing', where)
      }
      const objects: ObjectInfo[] = []
      for (const o of out.Contents ?? []) {
        if (o.Key === undefined || isReserved(o.Key)) continue
        objects.push({
          key: o.Key,
          size: o.Size ?? 0,
          lastModified: o.LastModified ?? new Date(0),
          etag: o.ETag ?? '',
        })
      }
      const commonPrefixes = (out.CommonPrefixes ?? [])
        .map((p) => p.Prefix)
        .filter((p): p is string => p !== undefined)
      yield { objects, commonPrefixes }
      token = out.IsTruncated === true ? out.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  async delete(key: string, options: { ifMatch?: string } = {}): Promise<void> {
    checkObjectKey(key)
    const where = this.where(key)
    const current = await this.head(key)
    if (current === undefined) throw new SealboxError('ObjectNotFound', `no object at ${where}`)
    if (options.ifMatch !== undefined && current.etag !== options.ifMatch) {
      throw new SealboxError(
        'PreconditionFailed',
        `the delete of ${where} was refused: it changed since it was read`,
      )
    }
    const atomic = options.ifMatch !== undefined && (await this.probeConditionalWrites())
    try {
      await this.client.send(
        new DeleteObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(atomic ? { IfMatch: options.ifMatch } : {}),
        }),
      )
    } catch (e) {
      throw s3Error(e, 'delete', where)
    }
  }

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy()
  }

  private checkPrecondition(
    key: string,
    current: ObjectInfo | undefined,
    options: PutOptions,
  ): void {
    const where = this.where(key)
    if (options.ifNoneMatch === '*' && current !== undefined) {
      throw new SealboxError(
        'PreconditionFailed',
        `the write of ${where} was refused: it already exists`,
      )
    }
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
      throw new SealboxError(
        'PreconditionFailed',
        `the write of ${where} was refused: ${current === undefined ? 'it does not exist' : 'it changed since it was read'}`,
      )
    }
  }

  private where(key: string): string {
    return `${this.location}${key}`
  }
}

function createClient(settings: S3Settings): S3Client {
  return new S3Client({
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    // a custom endpoint needs some region to sign with; AWS itself uses the SDK's chain
    ...(settings.region !== undefined
      ? { region: settings.region }
      : settings.endpoint !== undefined
        ? { region: 'us-east-1' }
        : {}),
    forcePathStyle: settings.forcePathStyle,
    // S3-compatible stores often reject the SDK's default trailing checksums
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

function isReserved(key: string): boolean {
  return key.split('/').some((s) => s.startsWith(RESERVED_NAME_PREFIX))
}

/**
 * Reads a body up to one part: all of it (`rest` undefined) when it is no longer, else the
 * first part's bytes and the iterator to go on with.
 */
async function firstPart(
  body: AsyncIterable<Uint8Array>,
): Promise<{ bytes: Uint8Array; rest: AsyncIterator<Uint8Array> | undefined }> {
  const it = body[Symbol.asyncIterator]()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const next = await it.next()
    if (next.done === true) return { bytes: Buffer.concat(parts, size), rest: undefined }
    // copied: a source may reuse its buffers once the next chunk is asked for
    parts.push(Buffer.from(next.value))
    size += next.value.length
    if (size > PART_SIZE) return { bytes: Buffer.concat(parts, size), rest: it }
  }
}

async function* prepend(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array> | undefined,
): AsyncGenerator<Uint8Array> {
  if (first.length > 0) yield first
  if (rest === undefined) return
  for (;;) {
    const next = await rest.next()
    if (next.done === true) return
    yield next.value
  }
}

async function* checkedAtEnd(
  body: AsyncIterable<Uint8Array>,
  check: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  yield* body
  await check()
}

async function* slice(
  body: AsyncIterable<Uint8Array>,
  start: number,
  end: number,
): AsyncGenerator<Uint8Array> {
  let at = 0
  for await (const chunk of body) {
    const from = Math.max(0, start - at)
    const to = Math.min(chunk.length, end + 1 - at)
    at += chunk.length
    if (to > from) yield chunk.subarray(from, to)
    if (at > end) break
  }
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of body) void chunk
}

async function* mapStreamErrors(
  body: AsyncIterable<Uint8Array>,
  where: string,
): AsyncGenerator<Uint8Array> {
  try {
    yield* body
  } catch (e) {
    throw s3Error(e, 'read', where)
  }
}
