import { lstat } from 'node:fs/promises'
import type { Readable, Writable } from 'node:stream'
import { singleChunk } from '../../bytes/index.js'
import { SealboxError } from '../../errors/index.js'
import { existsError, writeAtomically } from '../../file/index.js'

/** A stream with the `isTTY` flag node sets on terminals. */
type MaybeTty = { isTTY?: boolean }

export function isTty(stream: unknown): boolean {
  return (stream as MaybeTty).isTTY === true
}

/** Refuses to write bytes that are not plain text to a terminal. */
export function refuseBinaryTty(stdout: Writable, what: string): void {
  if (isTty(stdout)) {
    throw new SealboxError('UsageError', `refusing to write ${what} to a terminal`, {
      hint: 'give an output file, or pipe the output into another command',
    })
  }
}

/** True when `bytes` is UTF-8 text a terminal shows as is (no escape sequences, no NUL). */
export function isPrintableText(bytes: Uint8Array): boolean {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return false
  }
  return !/[^\P{Cc}\t\n\r]/u.test(text)
}

/**
 * Reads one line from a terminal without echoing it (the terminal is put in raw mode, so what is
 * typed is never shown). Enter ends the value; Ctrl-C and Ctrl-D abort.
 */
export async function promptHidden(
  stdin: Readable & { setRawMode?: (raw: boolean) => unknown },
  stderr: Writable,
  prompt: string,
): Promise<Uint8Array> {
  const bytes: number[] = []
  // echo goes off before the prompt shows, so nothing typed after it can be echoed
  stdin.setRawMode?.(true)
  stderr.write(prompt)
  stdin.resume()
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        for (const byte of chunk) {
          if (byte === 0x0d || byte === 0x0a) {
            done()
            resolve(Uint8Array.from(bytes))
            return
          }
          if (byte === 0x03 || byte === 0x04) {
            done()
            reject(new SealboxError('Interrupted', 'no secret was entered'))
            return
          }
          if (byte === 0x7f || byte === 0x08) bytes.pop()
          else bytes.push(byte)
        }
      }
      const done = (): void => {
        stdin.off('data', onData)
      }
      stdin.on('data', onData)
    })
  } finally {
    stdin.setRawMode?.(false)
    stdin.pause()
    stderr.write('\n')
    bytes.fill(0)
  }
}

/** `--force` for commands that write an output file. */
export interface OutputFlags {
  force?: boolean
}

/** Throws AlreadyExists when something (a file, a folder, a link) is at `path`. */
export async function refuseExisting(path: string): Promise<void> {
  if (await exists(path)) throw existsError(path)
}

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw e
  }
}

/**
 * A file that appears at `path` only when complete, mode 0600 (src/file's AtomicFile): an
 * existing file is refused (AlreadyExists) unless `force`; on failure nothing is left.
 */
export function writeFileAtomic(
  path: string,
  source: AsyncIterable<Uint8Array> | Uint8Array,
  options: { force?: boolean } = {},
): Promise<number> {
  return writeAtomically(path, source instanceof Uint8Array ? singleChunk(source) : source, {
    force: options.force === true,
  })
}

/** Writes a stream to a writable, waiting for drain (backpressure) and for the final flush. */
export async function writeAll(out: Writable, source: AsyncIterable<Uint8Array>): Promise<number> {
  let written = 0
  for await (const chunk of source) {
    written += chunk.length
    if (!out.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error): void => {
          out.off('drain', onDrain)
          reject(e)
        }
        const onDrain = (): void => {
          out.off('error', onError)
          resolve()
        }
        out.once('drain', onDrain)
        out.once('error', onError)
      })
    }
  }
  return written
}

/** `k=v` pairs (repeatable flag) as an encryption context. */
export function parseContextPairs(pairs: readonly string[] | undefined): Record<string, string> {
  const context: Record<string, string> = {}
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) {
      throw new SealboxError('UsageError', `invalid context pair '${pair}': expected key=value`)
    }
    const key = pair.slice(0, at)
    if (key in context) throw new SealboxError('UsageError', `context key '${key}' is given twice`)
    context[key] = pair.slice(at + 1)
  }
  return context
}

/** A positive whole number flag. */
export function parseVersion(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined
  if (!/^[0-9]+$/.test(text))
    throw new SealboxError('UsageError', `${flag} takes a version number, not '${text}'`)
  return Number(text)
}
