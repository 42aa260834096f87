import { constants } from 'node:fs'
import { open, unlink, type FileHandle } from 'node:fs/promises'
import { unlinkSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from '../crypto/index.js'
import { existsError } from './exists-error.js'
import { syncFolder } from './sync-folder.js'
import { placeFile } from './place-file.js'

const FLUSH_EVERY = 32 * 1024 * 1024
const MAX_IOVECS = 1024
const RUN = 1024 * 1024

/**
 * How many of `length` bytes to write at file offset `position` in one call so that no call
 * covers an aligned 1 MiB run of the file: a call that would is ended in the middle of that run.
 *
 * The page cache sizes a new file's folios by the write (ext4 large folios): a write covering an
 * aligned 1 MiB run gets folios of 1 MiB or more, cut from high-order free blocks. On a VM with
 * free page reporting those are mostly blocks the host has reclaimed, backed again on first
 * touch: on the 2-vCPU reference VM, 1 GiB written in aligned 1 MiB calls cost 0.4-2 s of system
 * time, the same bytes in calls that avoid aligned runs 0.2-0.5 s. Decrypted output (writes from
 * offset 0, ending on frame boundaries) hit this on every call; encrypted output, shifted by the
 * header, seldom.
 */
export function pieceLength(position: number, length: number): number {
  const run = Math.ceil(position / RUN) * RUN
  return position + length < run + RUN ? length : run + RUN / 2 - position
}

export interface AtomicFileOptions {
  /** Replace an existing file at the path (otherwise `AlreadyExists`). */
  force?: boolean
  /** Permission bits of the new file; default 0600. */
  mode?: number
}

/**
 * A file that appears at its path only when complete: bytes go to a temporary file in the same
 * folder (mode 0600), which is synced and then renamed (or, without `force`, hard-linked, so an
 * existing file is never replaced even if it appeared meanwhile). On abort, or any failure,
 * nothing is left behind.
 */
export class AtomicFile {
  private closed = false
  private unflushed = 0
  private position = 0
  private flushing: Promise<void> | undefined

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly force: boolean,
  ) {}

  static async create(path: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    const force = options.force ?? false
    if (!force) await refuseExisting(path)
    const tempPath = join(
      dirname(path),
      `.${basename(path)}.${Buffer.from(randomBytes(6)).toString('hex')}.tmp`,
    )
    const handle = await open(
      tempPath,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      options.mode ?? 0o600,
    )
    return new AtomicFile(path, tempPath, handle, force)
  }

  /** Writes all of `data`, an array's buffers together, in calls cut where `pieceLength` says. */
  async write(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    await this.writeAll(data)
    this.unflushed +=
      data instanceof Uint8Array ? data.length : data.reduce((n, b) => n + b.length, 0)
    // Start flushing to the device in the background while the caller produces more, so the
    // final sync has little left to do. One flush at a time.
    if (this.unflushed >= FLUSH_EVERY && this.flushing === undefined) {
      this.unflushed = 0
      const flush = this.handle.datasync().finally(() => {
        this.flushing = undefined
      })
      flush.catch(() => undefined) // surfaced by commit()
      this.flushing = flush
    }
  }

  private async writeAll(data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    const parts = data instanceof Uint8Array ? [data] : data
    let remaining = 0
    for (const b of parts) remaining += b.length
    let i = 0
    let off = 0
    for (;;) {
      while (i < parts.length && off === parts[i]!.length) {
        i++
        off = 0
      }
      if (i === parts.length) return
      let room = pieceLength(this.position, remaining)
      const batch: Uint8Array[] = []
      for (let j = i, o = off; j < parts.length && room > 0 && batch.length < MAX_IOVECS; j++) {
        const piece = parts[j]!.subarray(o, o + room)
        o = 0
        if (piece.length === 0) continue
        batch.push(piece)
        room -= piece.length
      }
      let { bytesWritten } =
        batch.length === 1 ? await this.handle.write(batch[0]!) : await this.handle.writev(batch)
      this.position += bytesWritten
      remaining -= bytesWritten
      while (bytesWritten > 0) {
        const left = parts[i]!.length - off
        if (bytesWritten < left) {
          off += bytesWritten
          break
        }
        bytesWritten -= left
        i++
        off = 0
      }
    }
  }

  /** Syncs the data and puts the file at its path. */
  async commit(): Promise<void> {
    try {
      await this.flushing
      await this.handle.sync()
      await this.handle.close()
      this.closed = true
      await placeFile(this.tempPath, this.path, this.force)
      await syncFolder(dirname(this.path))
    } catch (e) {
      await this.abort()
      throw e
    }
  }

  /** Removes the temporary file. Safe to call more than once. */
  async abort(): Promise<void> {
    await this.flushing?.catch(() => undefined)
    if (!this.closed) {
      this.closed = true
      await this.handle.close().catch(() => undefined)
    }
    await unlink(this.tempPath).catch(() => undefined)
  }

  /** For signal handlers: removes the temporary file synchronously. */
  abortSync(): void {
    try {
      unlinkSync(this.tempPath)
    } catch {
      // already gone
    }
  }
}

async function refuseExisting(path: string): Promise<void> {
  try {
    const h = await open(path, 'r')
    await h.close()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    if ((e as NodeJS.ErrnoException).code !== 'EACCES') throw e
  }
  throw existsError(path)
}
