import type { BigIntStats, Dirent } from 'node:fs'
import { constants } from 'node:fs'
import {
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rmdir,
  unlink,
  type FileHandle,
} from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { randomBytes } from '../../crypto/index.js'
import { SealboxError } from '../../errors/index.js'
import type {
  Body,
  GetOptions,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectStore,
  PutOptions,
} from '../types/index.js'
import { withFileLock } from './file-lock.js'
import { etagOf } from './fs-etag.js'
import {
  abortable,
  checkObjectKey,
  compareUtf8,
  interrupted,
  refuseIfAborted,
  RESERVED_NAME_PREFIX,
} from '../types/index.js'

export interface FsObjectStoreOptions {
  /** The folder holding the objects; created (mode 0700) on first write. */
  root: string
  /** How the store names itself in messages; default the folder's `file://` URL. */
  location?: string
  /** Objects per page when a listing does not ask (default 1,000). */
  defaultPageSize?: number
  /**
   * The folder is a bucket (a `local://` store): while it does not exist, reads, listings and
   * deletes fail with `BucketNotFound`, as they do on S3, and `head` finds nothing; a put still
   * creates it. Otherwise a missing folder is an empty store.
   */
  bucket?: boolean
}

const READ_CHUNK = 256 * 1024
const TEMP = `${RESERVED_NAME_PREFIX}tmp.`
const LOCK = `${RESERVED_NAME_PREFIX}lock.`
const META = `${RESERVED_NAME_PREFIX}meta.`

interface Sidecar {
  etag: string
  metadata: Record<string, string>
}

/**
 * The object store port over a local folder: a key `a/b/c` is the file `<root>/a/b/c`.
 *
 * - Writes go to a temp file in the key's folder, are fsynced, then renamed into place and the
 *   folder fsynced: a reader sees the old object or the new one, never part of one.
 * - Preconditions hold between processes: the check and the rename happen under an exclusive
 *   per-key lock file (`.~lock.<name>`, O_EXCL, stale rule in `withFileLock`).
 * - Etags come from inode, size and mtime (`etagOf`); metadata lives in a `.~meta.<name>`
 *   sidecar tied to the etag it was written with.
 * - Files are mode 0600, folders 0700. Names starting with `.~` are the store's own and never
 *   listed; symbolic links are neither followed for objects nor listed.
 * - A key cannot be both an object and a folder (`a` and `a/b`): the second write fails with
 *   `KeyConflict`, where S3 would keep both.
 */
export class FsObjectStore implements ObjectStore {
  readonly location: string
  readonly supportsConditionalWrites = true
  readonly root: string
  readonly bucket: boolean
  private readonly defaultPageSize: number

  constructor(options: FsObjectStoreOptions) {
    this.root = resolve(options.root)
    this.location = options.location ?? `${pathToFileURL(this.root).href}/`
    this.defaultPageSize = options.defaultPageSize ?? 1000
    this.bucket = options.bucket === true
  }

  async put(key: string, body: Body, options: PutOptions = {}): Promise<{ etag: string }> {
    const segments = checkObjectKey(key)
    const name = segments[segments.length - 1]!
    const dir = join(this.root, ...segments.slice(0, -1))
    const path = join(dir, name)
    // fail fast before streaming; the decisive check is repeated under the lock
    if (options.ifNoneMatch !== undefined || options.ifMatch !== undefined) {
      this.checkPrecondition(key, await statObject(path, key), options)
    }
    const signal = options.signal
    refuseIfAborted(signal, `${this.location}${key}`)
    const { handle, tempPath } = await this.createTemp(dir, key)
    let renamed = false
    try {
      await writeBody(
        handle,
        body instanceof Uint8Array || !signal ? body : abortable(body, signal),
      )
      await handle.sync()
      const etag = await withFileLock(join(dir, `${LOCK}${name}`), async () => {
        signal?.throwIfAborted()
        const current = await statObject(path, key)
        this.checkPrecondition(key, current, options)
        let stats = await handle.stat({ bigint: true })
        if (current !== undefined && stats.mtimeNs <= current.mtimeNs) {
          // the new version must not share an etag with the one it replaces (coarse clocks)
          const next = Number(current.mtimeNs) / 1e9 + 0.001
          await handle.utimes(next, next)
          stats = await handle.stat({ bigint: true })
        }
        const etag = etagOf(stats)
        const metaPath = join(dir, `${META}${name}`)
        if (options.metadata !== undefined && Object.keys(options.metadata).length > 0) {
          await writeSidecar(dir, metaPath, { etag, metadata: options.metadata })
        } else {
          await unlink(metaPath).catch(ignoreMissing)
        }
        await rename(tempPath, path)
        renamed = true
        await syncFolder(dir)
        return etag
      })
      return { etag }
    } catch (e) {
      if (signal?.aborted === true && !renamed) throw interrupted(`${this.location}${key}`, e)
      throw e
    } finally {
      await handle.close()
      if (!renamed) await unlink(tempPath).catch(ignoreMissing)
    }
  }

  async get(
    key: string,
    options: GetOptions = {},
  ): Promise<{ info: ObjectInfo; body: AsyncIterable<Uint8Array> }> {
    const segments = checkObjectKey(key)
    const path = join(this.root, ...segments)
    let handle: FileHandle
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
    } catch (e) {
      if (isMissing(e)) {
        await this.checkBucket(key)
        throw notFound(this.location, key)
      }
      throw e
    }
    try {
      const stats = await handle.stat({ bigint: true })
      if (!stats.isFile()) throw notFound(this.location, key)
      const info = await this.infoOf(key, path, stats)
      const size = info.size
      let start = 0
      let end = size - 1
      if (options.range !== undefined) {
        start = options.range.start
        end = Math.min(options.range.end ?? size - 1, size - 1)
        if (!Number.isSafeInteger(start) || start < 0 || start >= size || end < start) {
          throw new SealboxError(
            'InvalidRange',
            `the range ${start}-${options.range.end ?? ''} is outside '${key}' (${size} bytes)`,
          )
        }
      }
      const opened = handle
      return { info, body: readRange(opened, start, end) }
    } catch (e) {
      await handle.close()
      throw e
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const segments = checkObjectKey(key)
    const path = join(this.root, ...segments)
    const stats = await statObject(path, key)
    return stats === undefined ? undefined : this.infoOf(key, path, stats)
  }

  async *list(options: ListOptions = {}): AsyncIterable<ListPage> {
    const prefix = options.prefix ?? ''
    const delimiter = options.delimiter === '' ? undefined : options.delimiter
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? this.defaultPageSize))
    const cut = prefix.lastIndexOf('/')
    const base = prefix.slice(0, cut + 1)
    if (base !== '') checkObjectKey(base.slice(0, -1))
    const filter = prefix.slice(cut + 1)
    let page: ListPage = { objects: [], commonPrefixes: [] }
    let lastPrefix: string | undefined
    let yielded = false
    const walk = walkFolder(join(this.root, base), base, filter, (dirKey) => {
      if (delimiter === undefined) return undefined
      const at = dirKey.indexOf(delimiter, prefix.length)
      return at >= 0 && at + delimiter.length <= dirKey.length
        ? dirKey.slice(0, at + delimiter.length)
        : undefined
    })
    for await (const entry of walk) {
      if (entry.kind === 'object') {
        const at = delimiter === undefined ? -1 : entry.key.indexOf(delimiter, prefix.length)
        if (at < 0) {
          page.objects.push(entry.info)
        } else {
          const common = entry.key.slice(0, at + delimiter!.length)
          if (common === lastPrefix) continue
          lastPrefix = common
          page.commonPrefixes.push(common)
        }
      } else {
        if (entry.prefix === lastPrefix) continue
        lastPrefix = entry.prefix
        page.commonPrefixes.push(entry.prefix)
      }
      if (page.objects.length + page.commonPrefixes.length >= pageSize) {
        yield page
        yielded = true
        page = { objects: [], commonPrefixes: [] }
      }
    }
    const empty = page.objects.length + page.commonPrefixes.length === 0
    if (yielded && empty) return
    // a missing bucket folder lists as empty (readFolder), so only an empty listing checks for it
    if (empty) await this.checkBucket(prefix)
    yield page
  }

  async delete(key: string, options: { ifMatch?: string } = {}): Promise<void> {
    const segments = checkObjectKey(key)
    const name = segments[segments.length - 1]!
    const dir = join(this.root, ...segments.slice(0, -1))
    const path = join(dir, name)
    if ((await statObject(path, key)) === undefined) {
      await this.checkBucket(key)
      throw notFound(this.location, key)
    }
    await withFileLock(join(dir, `${LOCK}${name}`), async () => {
      const current = await statObject(path, key)
      if (current === undefined) throw notFound(this.location, key)
      if (options.ifMatch !== undefined && etagOf(current) !== options.ifMatch) {
        throw preconditionFailed(key, 'it changed since it was read')
      }
      await unlink(path)
      await unlink(join(dir, `${META}${name}`)).catch(ignoreMissing)
      await syncFolder(dir)
    })
    await this.pruneFolders(segments.slice(0, -1))
  }

  /** For a bucket store, `BucketNotFound` while the folder does not exist. */
  private async checkBucket(key: string): Promise<void> {
    if (!this.bucket) return
    const stats = await lstat(this.root).catch(nullIfMissing)
    if (stats !== null && stats.isDirectory()) return
    throw new SealboxError(
      'BucketNotFound',
      `the bucket of ${this.location}${key} does not exist`,
      {
        hint: `a local bucket is the folder ${this.root}: copying an object into it creates it`,
      },
    )
  }

  private checkPrecondition(
    key: string,
    current: BigIntStats | undefined,
    options: PutOptions,
  ): void {
    if (options.ifNoneMatch === '*' && current !== undefined) {
      throw preconditionFailed(key, 'it already exists')
    }
    if (options.ifMatch !== undefined) {
      if (current === undefined) throw preconditionFailed(key, 'it does not exist')
      if (etagOf(current) !== options.ifMatch)
        throw preconditionFailed(key, 'it changed since it was read')
    }
  }

  private async createTemp(
    dir: string,
    key: string,
  ): Promise<{ handle: FileHandle; tempPath: string }> {
    for (let attempt = 0; ; attempt++) {
      await this.makeFolders(dir, key)
      const tempPath = join(dir, `${TEMP}${Buffer.from(randomBytes(9)).toString('hex')}`)
      try {
        return { handle: await open(tempPath, 'wx', 0o600), tempPath }
      } catch (e) {
        // a delete pruned the empty folder between mkdir and open: make it again
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 10) continue
        throw e
      }
    }
  }

  private async makeFolders(dir: string, key: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 })
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw new SealboxError(
          'KeyConflict',
          `cannot store '${key}' in ${this.location}: part of its path is an object, and a folder store cannot hold an object and a folder of the same name`,
        )
      }
      throw e
    }
  }

  /** Removes folders left empty by a delete, deepest first, never the root itself. */
  private async pruneFolders(folders: string[]): Promise<void> {
    for (let n = folders.length; n > 0; n--) {
      try {
        await rmdir(join(this.root, ...folders.slice(0, n)))
      } catch {
        return // not empty (another object, a writer's temp or lock file), or already gone
      }
    }
  }

  private async infoOf(key: string, path: string, stats: BigIntStats): Promise<ObjectInfo> {
    const etag = etagOf(stats)
    const info: ObjectInfo = {
      key,
      size: Number(stats.size),
      lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)),
      etag,
    }
    const cut = path.lastIndexOf('/')
    const sidecar = await readSidecar(join(path.slice(0, cut), `${META}${path.slice(cut + 1)}`))
    if (sidecar !== undefined && sidecar.etag === etag) info.metadata = { ...sidecar.metadata }
    return info
  }
}

type WalkEntry =
  { kind: 'object'; key: string; info: ObjectInfo } | { kind: 'prefix'; prefix: string }

/**
 * Every object under `dir`, in key order (UTF-8 bytes: a folder `a` sorts as `a/`). A folder
 * whose keys all share one common prefix (`commonPrefixOf`) is reported as that prefix, once,
 * if it holds any object, and not walked.
 */
async function* walkFolder(
  dir: string,
  keyPrefix: string,
  filter: string,
  commonPrefixOf: (dirKey: string) => string | undefined,
): AsyncGenerator<WalkEntry> {
  const entries = await readFolder(dir)
  const items = entries
    .filter((e) => !e.name.startsWith(RESERVED_NAME_PREFIX) && e.name.startsWith(filter))
    .filter((e) => e.isFile() || e.isDirectory())
    .map((e) => ({
      name: e.name,
      folder: e.isDirectory(),
      order: e.isDirectory() ? `${e.name}/` : e.name,
    }))
    .sort((a, b) => compareUtf8(a.order, b.order))
  for (const item of items) {
    const key = `${keyPrefix}${item.name}`
    const path = join(dir, item.name)
    if (!item.folder) {
      const stats = await lstat(path, { bigint: true }).catch(nullIfMissing)
      if (stats === null || !stats.isFile()) continue
      yield {
        kind: 'object',
        key,
        info: {
          key,
          size: Number(stats.size),
          lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)),
          etag: etagOf(stats),
        },
      }
      continue
    }
    const common = commonPrefixOf(`${key}/`)
    if (common !== undefined) {
      if (await holdsObject(path)) yield { kind: 'prefix', prefix: common }
      continue
    }
    yield* walkFolder(path, `${key}/`, '', commonPrefixOf)
  }
}

async function holdsObject(dir: string): Promise<boolean> {
  for (const e of await readFolder(dir)) {
    if (e.name.startsWith(RESERVED_NAME_PREFIX)) continue
    if (e.isFile()) return true
    if (e.isDirectory() && (await holdsObject(join(dir, e.name)))) return true
  }
  return false
}

async function readFolder(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch (e) {
    if (isMissing(e)) return []
    throw e
  }
}

async function statObject(path: string, key: string): Promise<BigIntStats | undefined> {
  try {
    const stats = await lstat(path, { bigint: true })
    if (stats.isDirectory()) {
      throw new SealboxError(
        'KeyConflict',
        `'${key}' is a folder of other objects here, and a folder store cannot hold an object of the same name`,
      )
    }
    return stats.isFile() ? stats : undefined
  } catch (e) {
    if (isMissing(e)) return undefined
    throw e
  }
}

async function writeBody(handle: FileHandle, body: Body): Promise<void> {
  if (body instanceof Uint8Array) {
    await handle.writeFile(body)
    return
  }
  for await (const chunk of body) {
    let done = 0
    while (done < chunk.length) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.length - done)
      done += bytesWritten
    }
  }
}

async function* readRange(
  handle: FileHandle,
  start: number,
  end: number,
): AsyncGenerator<Uint8Array> {
  try {
    let position = start
    while (position <= end) {
      const length = Math.min(READ_CHUNK, end - position + 1)
      const buffer = Buffer.allocUnsafe(length)
      const { bytesRead } = await handle.read(buffer, 0, length, position)
      if (bytesRead === 0) break
      position += bytesRead
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}

async function writeSidecar(dir: string, path: string, sidecar: Sidecar): Promise<void> {
  const temp = join(dir, `${TEMP}${Buffer.from(randomBytes(9)).toString('hex')}`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(JSON.stringify(sidecar))
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path)
}

async function readSidecar(path: string): Promise<Sidecar | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Sidecar
    return typeof parsed.etag === 'string' && typeof parsed.metadata === 'object'
      ? parsed
      : undefined
  } catch {
    return undefined
  }
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function notFound(location: string, key: string): SealboxError {
  return new SealboxError('ObjectNotFound', `no object '${key}' in ${location}`)
}

function preconditionFailed(key: string, why: string): SealboxError {
  return new SealboxError('PreconditionFailed', `the write to '${key}' was refused: ${why}`)
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP'
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
}

function nullIfMissing(e: unknown): null {
  if (isMissing(e)) return null
  throw e
}
