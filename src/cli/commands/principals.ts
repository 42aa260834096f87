import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

export function register(program: Command, runtime: Runtime): void {
  const principals = program
    .command('principals')
    .description('access keys that sign requests to `sealbox serve` (SigV4)')
  const deps = async () => {
    const { principalsDeps } = await import('../serve/keystore-access.js')
    return principalsDeps(runtime)
  }
  principals
    .command('create')
    .description(
      'create a principal; prints JSON with AccessKeyId, SecretAccessKey (shown once) and Arn',
    )
    .argument('<name>', 'IAM-style user name: letters, digits and + = , . @ _ -')
    .option('--account <id>', "12-digit account id (default: the embedded KMS's account)")
    .option(
      '--access-key-id <id>',
      'use this access key id, and the secret access key piped on stdin (then not printed), instead of new ones',
    )
    .action(async (name: string, flags: { account?: string; accessKeyId?: string }) => {
      const { principalsCreate } = await import('../serve/principals-commands.js')
      await principalsCreate(name, flags, await deps())
    })
  principals
    .command('ls')
    .description('list principals (names, access key ids, ARNs; never secrets)')
    .action(async () => {
      const { principalsList } = await import('../serve/principals-commands.js')
      await principalsList(await deps())
    })
  principals
    .command('rm')
    .description('remove a principal; its access key is refused from then on')
    .argument('<name>', 'the principal to remove')
    .action(async (name: string) => {
      const { principalsRemove } = await import('../serve/principals-commands.js')
      await principalsRemove(name, await deps())
    })
}
