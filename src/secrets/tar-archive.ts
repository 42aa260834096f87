import { Readable } from 'node:stream'
import tar from 'tar-stream'
import { SealboxError } from '../errors/index.js'

/** One secret on its way into a pack. */
export interface PackEntry {
  path: string
  version: number
  modified: Date
  value: Uint8Array
}

/**
 * A tar archive (ustar, pax headers for long names) of `entries`, produced as the consumer reads
 * it: an entry is added only when the archive's buffer has room, so memory stays bounded.
 * Entries are regular files, mode 0400, owned by root, named by their secret path.
 */
export async function* packEntries(entries: AsyncIterable<PackEntry>): AsyncGenerator<Uint8Array> {
  const archive = tar.pack()
  const producer = (async () => {
    try {
      for await (const entry of entries) {
        await new Promise<void>((resolve, reject) => {
          archive.entry(
            {
              name: entry.path,
              size: entry.value.length,
              mode: 0o400,
              mtime: entry.modified,
              uid: 0,
              gid: 0,
              uname: 'root',
              gname: 'root',
              type: 'file',
            },
            Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.length),
            (error) => (error ? reject(error) : resolve()),
          )
        })
      }
      archive.finalize()
    } catch (error) {
      archive.destroy(error as Error)
    }
  })()
  try {
    for await (const chunk of archive as AsyncIterable<Buffer>) yield chunk
  } finally {
    if (!archive.destroyed) archive.destroy()
    await producer
  }
}

/** One file of an unpacked archive; its body must be read (or skipped) before the next. */
export interface UnpackedEntry {
  path: string
  size: number
  mode: number
  modified: Date | undefined
  body: AsyncIterable<Uint8Array>
}

/**
 * The regular files of a tar stream, one by one, each body streamed. Entry names are checked:
 * absolute names, `..` segments and non-file entries (links, devices) are refused, so an
 * archive cannot write outside the folder it is unpacked into; so are a name given twice and a
 * name that is both a file and a folder of others, which no folder can hold.
 */
export async function* tarEntries(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<UnpackedEntry> {
  const extract = tar.extract()
  const input = Readable.from(source, { objectMode: false })
  input.on('error', (e) => extract.destroy(e))
  input.pipe(extract as unknown as NodeJS.WritableStream)
  const names = new EntryNames()
  try {
    for await (const entry of extract) {
      const header = entry.header
      if (header.type === 'directory') {
        entry.resume()
        continue
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new SealboxError(
          'UsageError',
          `the pack holds a ${header.type ?? 'special'} entry '${safeName(header.name)}', which is refused`,
        )
      }
      yield {
        path: names.add(checkEntryName(header.name)),
        size: header.size ?? 0,
        mode: header.mode ?? 0o400,
        modified: header.mtime,
        body: entry as AsyncIterable<Uint8Array>,
      }
      // the consumer may skip the body: drain what is left so the next entry can come
      entry.resume()
    }
  } finally {
    input.destroy()
    if (!extract.destroyed) extract.destroy()
  }
}

/** The names of an archive's files so far, and of the folders they are in. */
class EntryNames {
  private readonly files = new Set<string>()
  private readonly folders = new Set<string>()

  /** `path`, or UsageError when it repeats a file or a folder or sits below a file. */
  add(path: string): string {
    const clash = (what: string) =>
      new SealboxError('UsageError', `the pack holds '${safeName(path)}' ${what}`)
    if (this.files.has(path)) throw clash('twice')
    if (this.folders.has(path)) throw clash('both as a file and as a folder of other files')
    for (let at = path.indexOf('/'); at >= 0; at = path.indexOf('/', at + 1)) {
      const folder = path.slice(0, at)
      if (this.files.has(folder)) throw clash(`inside '${safeName(folder)}', which is a file`)
      this.folders.add(folder)
    }
    this.files.add(path)
    return path
  }
}

/** A tar entry name as a relative path without `.`/`..` segments, or an error. */
export function checkEntryName(name: string): string {
  const trimmed = name.replace(/^\.\/+/, '')
  const segments = trimmed.split('/').filter((s) => s !== '' && s !== '.')
  if (
    name.startsWith('/') ||
    segments.length === 0 ||
    segments.includes('..') ||
    trimmed.includes('\0') ||
    trimmed.includes('\\')
  ) {
    throw new SealboxError(
      'UsageError',
      `the pack holds an entry named '${safeName(name)}', which would land outside the target folder`,
    )
  }
  return segments.join('/')
}

function safeName(name: string): string {
  return name.replace(/\p{Cc}/gu, '?').slice(0, 200)
}
