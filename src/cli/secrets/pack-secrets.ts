import { SealboxError } from '../../errors/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import {
  parseContextPairs,
  refuseBinaryTty,
  writeAll,
  writeFileAtomic,
  type OutputFlags,
} from './terminal-io.js'

export interface PackFlags extends StoreFlags, OutputFlags {
  context?: string[]
}

/**
 * `sealbox secrets pack PATTERN… OUT|-`: the matching secrets as a tar, sealed as one message
 * under --key-id with the --context pairs, streamed to OUT (atomic, mode 0600; an existing OUT
 * only with --force) or stdout.
 */
export async function packSecrets(
  runtime: Runtime,
  args: string[],
  flags: PackFlags,
  io: Io,
): Promise<void> {
  if (args.length < 2) {
    throw new SealboxError(
      'UsageError',
      'pack needs at least one PATTERN and an output (a file, or - for stdout)',
    )
  }
  const patterns = args.slice(0, -1)
  const out = args.at(-1)!
  const context = parseContextPairs(flags.context)
  if (out === '-') refuseBinaryTty(io.stdout, 'a sealed pack')
  const secrets = await openSecretStore(runtime, flags, true)
  let count = 0
  const sealed = secrets.pack(patterns, { context, onEntry: () => count++ })
  const bytes =
    out === '-'
      ? await writeAll(io.stdout, sealed)
      : await writeFileAtomic(out, sealed, { force: flags.force === true })
  io.stderr.write(
    `sealbox: packed ${count} secret${count === 1 ? '' : 's'} (${bytes} bytes) into ${out === '-' ? 'stdout' : out}\n`,
  )
}
