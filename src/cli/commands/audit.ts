import type { Command } from 'commander'
import type { Writable } from 'node:stream'
import type { Runtime } from '../runtime/index.js'

export function register(program: Command, runtime: Runtime): void {
  registerAudit(program, runtime, process.stdout)
}

export function registerAudit(program: Command, runtime: Runtime, stdout: Writable): void {
  const audit = program
    .command('audit')
    .description("the embedded KMS's hash-chained log of every key use, allowed or refused")
  const deps = {
    audit: () => runtime.audit(),
    kms: () => runtime.kms(),
    now: async () => (await runtime.clock()).now(),
    stdout,
  }
  audit
    .command('ls')
    .description('list audit events, oldest first; every filter given must match')
    .option('--key-id <key>', 'key ARN, key id, alias name or alias ARN')
    .option('--operation <name>', 'KMS operation, e.g. Decrypt or generate-data-key')
    .option('--principal <arn>', 'calling principal ARN')
    .option('--since <time>', 'ISO 8601 time, or a span back from now: 90s, 15m, 1h, 7d, 2w')
    .option('--until <time>', 'ISO 8601 time, or a span back from now')
    .option(
      '--context <key=value>',
      'encryption-context pair the event must have (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--outcome <outcome>', "'ok' or an error code such as AccessDeniedException")
    .option('--limit <n>', 'at most n events')
    .option('--output <format>', 'table (default), json (one array) or jsonl (one event a line)')
    .action(async (flags: Record<string, unknown>) => {
      const { auditList } = await import('../audit/audit-commands.js')
      await auditList(flags, deps)
    })
  audit
    .command('verify')
    .description("check the log's hash chain: prints 'ok: N events' or names the first bad event")
    .action(async () => {
      const { auditVerify } = await import('../audit/audit-commands.js')
      await auditVerify(deps)
    })
}
