import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

export function register(program: Command, runtime: Runtime): void {
  program
    .command('ls')
    .description('list the objects of a store (every page): modified, size, key')
    .argument(
      '<url>',
      'a store URL with an optional prefix: s3://bucket/prefix, local://bucket/prefix',
    )
    .option('-r, --recursive', 'list every key under the prefix instead of one folder level')
    .option('--output <format>', 'text (default) or json')
    .action(async (url: string, flags: Record<string, unknown>) => {
      const { runLs } = await import('../objects/ls-command.js')
      await runLs(runtime, url, flags)
    })
}
