import type { Writable } from 'node:stream'
import type { PrincipalStore } from '../../principals/index.js'
import { printHint } from '../output.js'

export interface PrincipalsDeps {
  store: () => Promise<PrincipalStore>
  /** The embedded KMS's account, for principals created without --account. */
  defaultAccount: () => Promise<string>
  stdout: Writable
  stderr: Writable
}

/** `sealbox principals create NAME [--account ID]`: prints the new access key, once. */
export async function principalsCreate(
  name: string,
  flags: { account?: string },
  deps: PrincipalsDeps,
): Promise<void> {
  const store = await deps.store()
  const principal = store.create(name, flags.account ?? (await deps.defaultAccount()))
  deps.stdout.write(
    `${JSON.stringify(
      {
        AccessKeyId: principal.accessKeyId,
        SecretAccessKey: principal.secretAccessKey,
        Arn: principal.arn,
        UserName: principal.name,
        AccountId: principal.accountId,
        CreateDate: principal.createdAt.toISOString(),
      },
      null,
      2,
    )}\n`,
  )
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
