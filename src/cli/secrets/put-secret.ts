import { createReadStream } from 'node:fs'
import { zero } from '../../bytes/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'
import { isTty, parseVersion, promptHidden, readLimited } from './terminal-io.js'

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
      value = await readLimited(io.stdin, secrets.maxSecretBytes, 'the secret on stdin')
    }
  } else {
    value = await readLimited(createReadStream(source), secrets.maxSecretBytes, `${source}`)
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
