import { createReadStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { randomUUID } from '../../crypto/index.js'
import { tarEntries, unpackTar } from '../../secrets/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { parseContextPairs, refuseBinaryTty, writeAll, writeFileAtomic } from './terminal-io.js'

export interface UnpackFlags {
  context?: string[]
}

/**
 * `sealbox secrets unpack IN|- OUT|-`: with `-`, the verified tar to stdout (to pipe into
 * `tar -x`); with a folder, every secret as a file (mode 0600, folders 0700). Files are first
 * written into a staging folder inside OUT and moved into place only once the whole pack has
 * been verified, so a damaged or truncated pack leaves OUT as it was.
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
  const source = input === '-' ? io.stdin : createReadStream(input)
  const kms = await runtime.kms()
  const tar = unpackTar(source, { kms, context })
  if (out === '-') {
    await writeAll(io.stdout, tar)
    return
  }
  const target = resolve(out)
  await mkdir(target, { recursive: true, mode: 0o700 })
  const staging = join(target, `.sealbox-unpack-${randomUUID()}`)
  await mkdir(staging, { mode: 0o700 })
  const files: string[] = []
  try {
    for await (const entry of tarEntries(tar)) {
      const file = join(staging, entry.path)
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      await writeFileAtomic(file, entry.body, 0o600)
      files.push(entry.path)
    }
    for (const path of files) {
      await mkdir(dirname(join(target, path)), { recursive: true, mode: 0o700 })
      await rename(join(staging, path), join(target, path))
    }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  io.stderr.write(
    `sealbox: unpacked ${files.length} secret${files.length === 1 ? '' : 's'} into ${out}\n`,
  )
}
