import { createReadStream } from 'node:fs'
import { zero } from '../../bytes/index.js'
import { SealboxError } from '../../errors/index.js'
import { collect } from '../../secrets/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import { isTty, parseVersion, promptHidden } from './terminal-io.js'

const TOO_LARGE = "store large files with 'sealbox cp' instead"

export interface PutFlags extends StoreFlags {
  expectVersion?: string
}

/**
 * `sealbox secrets put PATH [FILE|-]`: the bytes of FILE (or stdin) as the next version, exactly
 * as given (no newline is added or removed). On a terminal, stdin is read without echo.
 */
export async function putSecret(
  runtime: Runtime,
  path: string,
  source: string | undefined,
  flags: PutFlags,
  io: Io,
): Promise<void> {
  const expectVersion = parseVersion(flags.expectVersion, '--expect-version')
  const secrets = await openSecretStore(runtime, flags, true)
  let value: Uint8Array
  if (source === undefined || source === '-') {
    if (isTty(io.stdin)) {
      if (io.stdin.setRawMode === undefined) {
        throw new SealboxError(
          'UsageError',
          'refusing to read a secret from a terminal that echoes it',
          {
            hint: 'give a FILE, or pipe the secret in',
          },
        )
      }
      value = await promptHidden(io.stdin, io.stderr, `secret for ${path} (input hidden): `)
    } else {
      value = await collect(io.stdin, secrets.maxSecretBytes, 'the secret on stdin', TOO_LARGE)
    }
  } else {
    value = await collect(createReadStream(source), secrets.maxSecretBytes, source, TOO_LARGE)
  }
  try {
    const written = await secrets.put(
      path,
      value,
      expectVersion === undefined ? {} : { expectVersion },
    )
    io.stderr.write(`sealbox: put ${written.path} version ${written.version}\n`)
  } finally {
    zero(value)
  }
}
