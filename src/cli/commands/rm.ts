import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

export function register(program: Command, runtime: Runtime): void {
  program
    .command('rm')
    .description(
      'remove an object from a store (or, with --recursive, every object under a prefix)',
    )
    .argument('<url>', 'a store URL: s3://bucket/key, local://bucket/key')
    .option('-r, --recursive', 'remove every object under the prefix, printing each')
    .action(async (url: string, flags: Record<string, unknown>) => {
      const { runRm } = await import('../objects/rm-command.js')
      await runRm(runtime, url, flags)
    })
}
