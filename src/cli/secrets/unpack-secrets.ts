import { mkdir, open, rm, rmdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { randomUUID } from '../../crypto/index.js'
import { existsError, placeFile, syncFolder } from '../../file/index.js'
import { tarEntries, unpackTar } from '../../secrets/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import {
  exists,
  parseContextPairs,
  refuseBinaryTty,
  writeAll,
  type OutputFlags,
} from './terminal-io.js'

export interface UnpackFlags extends OutputFlags {
  context?: string[]
}

/**
 * `sealbox secrets unpack IN|- OUT|-`: with `-`, the verified tar to stdout (to pipe into
 * `tar -x`); with a folder, every secret as a file (mode 0600, folders 0700). Files are first
 * written into a staging folder inside OUT and moved into place only once the whole pack has
 * been verified, so a damaged or truncated pack leaves OUT as it was. Without --force, a pack
 * holding a file that already exists in OUT is refused before any file is moved into OUT.
 */
export async function unpackSecrets(
  runtime: Runtime,
  input: string,
  out: string,
  flags: UnpackFlags,
  io: Io,
): Promise<void> {
  const context = parseContextPairs(flags.context)
  if (out === '-') refuseBinaryTty(io.stdout, 'a tar archive')
  // opened before anything is awaited or made: a missing IN is a clear error, not a stream's
  // unhandled 'error' event, and leaves no OUT behind
  const source = input === '-' ? io.stdin : (await open(input, 'r')).createReadStream()
  const kms = await runtime.kms()
  const tar = unpackTar(source, { kms, context })
  if (out === '-') {
    await writeAll(io.stdout, tar)
    return
  }
  const force = flags.force === true
  const target = resolve(out)
  const created = await mkdir(target, { recursive: true, mode: 0o700 })
  const staging = join(target, `.sealbox-unpack-${randomUUID()}`)
  await mkdir(staging, { mode: 0o700 })
  const files: string[] = []
  let moved = false
  try {
    for await (const entry of tarEntries(tar)) {
      const file = join(staging, entry.path)
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      await writeStaged(file, entry.body)
      files.push(entry.path)
    }
    if (!force) await refuseReplacing(out, target, files)
    moved = true
    // every folder that gained a name: OUT's parents if OUT was made, each file's folder, and
    // the parents of the folders made for them; all synced before "unpacked" is said
    const folders = new Set(parentsOfMade(target, created))
    for (const path of files) {
      const folder = dirname(join(target, path))
      const made = await mkdir(folder, { recursive: true, mode: 0o700 })
      await placeFile(join(staging, path), join(target, path), force)
      folders.add(folder)
      for (const parent of parentsOfMade(folder, made)) folders.add(parent)
    }
    for (const folder of folders) await syncFolder(folder)
  } finally {
    await rm(staging, { recursive: true, force: true })
    if (!moved && created !== undefined) await removeCreated(created, target)
  }
  io.stderr.write(
    `sealbox: unpacked ${files.length} secret${files.length === 1 ? '' : 's'} into ${out}\n`,
  )
}

/**
 * One file in the staging folder, which only this unpack uses and which is removed on failure:
 * no temp-and-rename is needed there. Created 0600 and never over an existing file (a pack naming
 * a file twice fails), synced so what is later moved into OUT is on disk.
 */
async function writeStaged(path: string, body: AsyncIterable<Uint8Array>): Promise<void> {
  const handle = await open(path, 'wx', 0o600)
  try {
    for await (const chunk of body) {
      let done = 0
      while (done < chunk.length) done += (await handle.write(chunk, done)).bytesWritten
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** The folders that got a new entry when `mkdir -p folder` made `made` (its first new folder) and below. */
function parentsOfMade(folder: string, made: string | undefined): string[] {
  const parents: string[] = []
  if (made === undefined) return parents
  for (let dir = folder; dir !== dirname(dir); dir = dirname(dir)) {
    parents.push(dirname(dir))
    if (dir === made) break
  }
  return parents
}

/** Refuses (AlreadyExists) when any file of the pack is already in the target folder. */
async function refuseReplacing(
  out: string,
  target: string,
  files: readonly string[],
): Promise<void> {
  const taken: string[] = []
  for (const path of files) if (await exists(join(target, path))) taken.push(path)
  if (taken.length === 0) return
  const more = taken.length === 1 ? '' : ` (and ${taken.length - 1} more of the pack's files)`
  throw existsError(join(out, taken[0]!), `${more}; nothing was unpacked`)
}

/** The folders this unpack created for OUT, removed again (only if still empty) on failure. */
async function removeCreated(created: string, target: string): Promise<void> {
  for (let dir = target; dir.startsWith(created); dir = dirname(dir)) {
    try {
      await rmdir(dir)
    } catch {
      return
    }
    if (dir === created) return
  }
}
