import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

export function register(program: Command, _runtime: Runtime): void {
  program
    .command('inspect')
    .description(
      "show a message's header (suite, keys, encryption context, frame length) without decrypting it",
    )
    .argument('<file>', 'the message, or - for stdin')
    .option('--output <format>', 'text (default) or json')
    .action(async (file: string, flags: { output?: string }) => {
      const { runInspect } = await import('../file/inspect-command.js')
      await runInspect(file, flags)
    })
}
