import { zero } from '../../bytes/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import {
  isPrintableText,
  isTty,
  parseVersion,
  writeAll,
  writeFileAtomic,
  type OutputFlags,
} from './terminal-io.js'

export interface GetFlags extends StoreFlags, OutputFlags {
  output?: string
  at?: string
}

/**
 * `sealbox secrets get PATH [-o FILE [--force]]`: the value to stdout, or to FILE written
 * atomically with mode 0600 (an existing FILE only with --force). Only text goes to a terminal,
 * never binary bytes or escape sequences.
 */
export async function getSecret(
  runtime: Runtime,
  path: string,
  flags: GetFlags,
  io: Io,
): Promise<void> {
  const version = parseVersion(flags.at, '--at')
  const secrets = await openSecretStore(runtime, flags, false)
  const options = version === undefined ? {} : { version }
  if (flags.output !== undefined && flags.output !== '-') {
    const { body } = await secrets.open(path, options)
    await writeFileAtomic(flags.output, body, { force: flags.force === true })
    return
  }
  if (isTty(io.stdout)) {
    const { value } = await secrets.get(path, options)
    try {
      if (!isPrintableText(value)) {
        throw new SealboxError(
          'UsageError',
          `secret '${path}' is not plain text; refusing to write it to a terminal`,
          {
            hint: 'use -o FILE, or pipe the output into another command',
          },
        )
      }
      io.stdout.write(Buffer.from(value))
    } finally {
      zero(value)
    }
    return
  }
  const { body } = await secrets.open(path, options)
  await writeAll(io.stdout, body)
}
