import type { Readable, Writable } from 'node:stream'
import { SealboxError } from '../../errors/index.js'
import type { PrincipalStore } from '../../principals/index.js'
import { printHint } from '../output.js'

export interface PrincipalsDeps {
  store: () => Promise<PrincipalStore>
  /** The embedded KMS's account, for principals created without --account. */
  defaultAccount: () => Promise<string>
  stdin: Readable & { isTTY?: boolean }
  stdout: Writable
  stderr: Writable
}

const MAX_SECRET_INPUT = 4096
const PIPE_HINT =
  'pipe it in: printf %s "$SECRET" | sealbox principals create NAME --access-key-id ID'

/** The secret access key piped on stdin: one line, its line ending dropped. */
async function readSecret(stdin: Readable & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY === true) {
    throw new SealboxError(
      'UsageError',
      '--access-key-id reads the secret access key from stdin, which is a terminal',
      { hint: PIPE_HINT },
    )
  }
  let text = ''
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    text += chunk.toString()
    if (text.length > MAX_SECRET_INPUT) {
      throw new SealboxError('ValidationException', 'the secret access key on stdin is too long')
    }
  }
  const secret = text.replace(/\r?\n$/, '')
  if (secret === '') {
    throw new SealboxError('UsageError', 'no secret access key on stdin for --access-key-id', {
      hint: PIPE_HINT,
    })
  }
  return secret
}

/**
 * `sealbox principals create NAME [--account ID] [--access-key-id ID]`: prints the new access
 * key, with its secret once. With `--access-key-id` the secret is the caller's, read from stdin
 * (never a flag, which other users of the machine can read), and is not printed.
 */
export async function principalsCreate(
  name: string,
  flags: { account?: string; accessKeyId?: string },
  deps: PrincipalsDeps,
): Promise<void> {
  const credentials =
    flags.accessKeyId === undefined
      ? undefined
      : { accessKeyId: flags.accessKeyId, secretAccessKey: await readSecret(deps.stdin) }
  const store = await deps.store()
  const principal = store.create(name, flags.account ?? (await deps.defaultAccount()), credentials)
  deps.stdout.write(
    `${JSON.stringify(
      {
        AccessKeyId: principal.accessKeyId,
        ...(credentials === undefined ? { SecretAccessKey: principal.secretAccessKey } : {}),
        Arn: principal.arn,
        UserName: principal.name,
        AccountId: principal.accountId,
        CreateDate: principal.createdAt.toISOString(),
      },
      null,
      2,
    )}\n`,
  )
  if (credentials !== undefined) return
  printHint(
    'the secret access key is shown only this once: use it as AWS_SECRET_ACCESS_KEY with AWS_ACCESS_KEY_ID against sealbox serve',
    deps.stderr,
  )
}

/** `sealbox principals ls`: every principal, never a secret. */
export async function principalsList(deps: PrincipalsDeps): Promise<void> {
  const store = await deps.store()
  const principals = store.list().map((p) => ({
    UserName: p.name,
    AccessKeyId: p.accessKeyId,
    Arn: p.arn,
    AccountId: p.accountId,
    CreateDate: p.createdAt.toISOString(),
  }))
  deps.stdout.write(`${JSON.stringify({ Principals: principals }, null, 2)}\n`)
}

/** `sealbox principals rm NAME`: its access key stops working at once, in every server process. */
export async function principalsRemove(name: string, deps: PrincipalsDeps): Promise<void> {
  ;(await deps.store()).remove(name)
}
