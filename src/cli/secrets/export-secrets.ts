import { formatEnv } from '../../secrets/index.js'
import { printWarning } from '../output.js'
import type { Runtime } from '../runtime/index.js'
import { parseFormat, secretEnvironment, type EnvFlags } from './env-secrets.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import { refuseExisting, writeFileAtomic, type OutputFlags } from './terminal-io.js'

export interface ExportFlags extends StoreFlags, EnvFlags, OutputFlags {
  format?: string
  output?: string
}

/**
 * `sealbox secrets export [PATTERN…] --format dotenv|json|shell [-o FILE]`: the matching secrets
 * as environment assignments, to stdout or FILE (atomic, mode 0600; an existing FILE only with
 * --force).
 */
export async function exportSecrets(
  runtime: Runtime,
  patterns: string[],
  flags: ExportFlags,
  io: Io,
): Promise<void> {
  const format = parseFormat(flags.format)
  const file = flags.output !== undefined && flags.output !== '-' ? flags.output : undefined
  const force = flags.force === true
  // refused before any secret is read
  if (file !== undefined && !force) await refuseExisting(file)
  const secrets = await openSecretStore(runtime, flags, false)
  const env = await secretEnvironment(
    secrets,
    { ...flags, only: [...patterns, ...(flags.only ?? [])] },
    { requireMatches: 'nothing was exported' },
  )
  const text = formatEnv(env, format, (name) =>
    printWarning(
      `${name} holds a backslash or a double quote: readers other than python-dotenv and docker compose may not read it back exactly`,
      io.stderr,
    ),
  )
  if (file !== undefined) {
    await writeFileAtomic(file, Buffer.from(text), { force })
  } else {
    io.stdout.write(text)
  }
}
