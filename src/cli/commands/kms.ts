import type { Command } from 'commander'
import type { Writable } from 'node:stream'
import type { KmsOperationName } from '../../kms/types/index.js'
import { OPERATIONS, kebab } from '../kms/operation-table.js'
import type { Runtime } from '../runtime/index.js'

const HELP: Record<string, string> = {
  blob: 'base64, or fileb://PATH for raw bytes',
  map: 'JSON object or k=v,k2=v2',
  list: 'one or more values, or a JSON array',
  tags: 'TagKey=k,TagValue=v (repeatable) or a JSON array',
  timestamp: 'ISO 8601 or epoch seconds',
  integer: 'a number',
  string: '',
  struct: 'a JSON object in AWS member names, e.g. {"EncryptionContextSubset":{"k":"v"}}',
}

export function register(program: Command, runtime: Runtime): void {
  registerKms(program, runtime, process.stdout)
}

// Only the flag table is loaded to register the subcommands; an action loads what it runs.
export function registerKms(program: Command, runtime: Runtime, stdout: Writable): void {
  const kms = program
    .command('kms')
    .description('the AWS KMS API, with the subcommands and flags of `aws kms`')
    .addHelpText(
      'after',
      `
Flags read values as the AWS CLI does: file://PATH (text), fileb://PATH (bytes); inline blobs are
base64 unless --cli-binary-format raw-in-base64-out. --output json|text and --query as in the AWS CLI.
'sealbox kms advance-clock --days N' moves the embedded KMS's clock forward (rotations, deletions);
'sealbox kms seed FILE' makes the keys of a seed file exist.`,
    )
  for (const op of Object.keys(OPERATIONS) as KmsOperationName[]) {
    const spec = OPERATIONS[op]
    const cmd = kms.command(kebab(op)).description(spec.summary)
    for (const [member, paramSpec] of Object.entries(spec.params as Record<string, string>)) {
      const flag = `--${kebab(member)}`
      const type = paramSpec.replace('!', '')
      const required =
        member === 'keyId' && spec.defaultKey === true
          ? '(default: KMS_KEY_ID, else the embedded default key)'
          : paramSpec.endsWith('!')
            ? '(required)'
            : ''
      const help = [HELP[type], required].filter(Boolean).join(' ')
      if (type === 'boolean') {
        cmd.option(flag).option(`--no-${kebab(member)}`)
      } else if (type === 'list' || type === 'tags') {
        cmd.option(`${flag} <values...>`, help)
      } else {
        cmd.option(`${flag} <value>`, help)
      }
    }
    cmd
      .option('--output <format>', 'json (default) or text')
      .option(
        '--query <expression>',
        'a JMESPath expression applied to the response, e.g. CiphertextBlob',
      )
      .option('--cli-binary-format <format>', 'raw-in-base64-out: inline blob values are raw text')
      .option(
        '--cli-input-json <json>',
        'request members as JSON (or file://PATH), overridden by flags',
      )
      .option('--no-cli-pager', 'accepted for compatibility (sealbox never pages)')
      .option('--endpoint-url <url>', 'an AWS KMS API endpoint (as --kms aws --kms-endpoint URL)')
      .option('--profile <name>', 'AWS profile for --kms aws (as AWS_PROFILE)')
    if (spec.pages !== undefined) {
      cmd
        .option('--max-items <n>', 'print at most n items, then a NextToken')
        .option('--starting-token <token>', 'continue from a NextToken')
        .option('--page-size <n>', 'items per request')
        .option('--no-paginate', 'one request only, as with --limit/--marker')
    }
    cmd.action(async (flags: Record<string, unknown>) => {
      // The AWS CLI's own ways to pick the endpoint and credentials, read before the KMS opens.
      if (typeof flags['endpointUrl'] === 'string') {
        program.setOptionValue('kms', 'aws').setOptionValue('kmsEndpoint', flags['endpointUrl'])
      }
      if (typeof flags['profile'] === 'string') process.env['AWS_PROFILE'] = flags['profile']
      const { runKmsOperation } = await import('../kms/run-operation.js')
      await runKmsOperation(op, flags, {
        kms: () => runtime.kms(),
        defaultKeyId: () => runtime.defaultKeyId(),
        stdout,
        cwd: process.cwd(),
      })
    })
  }
  kms
    .command('seed')
    .description(
      'sealbox only: make the keys a JSON file lists exist, found by alias (running it twice changes nothing)',
    )
    .argument('<file>', 'the seed file (JSON)')
    .addHelpText(
      'after',
      `
A seed file lists keys by alias; a key none of whose aliases exist is created:
  {"keys": [{"aliases": ["alias/orders"], "description": "orders", "tags": {"team": "shop"},
             "rotationPeriodInDays": 365, "policy": {...}, "enabled": true}]}
Prints each key's first alias, id, ARN and whether it was created or already there.`,
    )
    .action(async (file: string) => {
      const { readSeedFile, applySeed } = await import('../kms/seed-keys.js')
      const keys = readSeedFile(file)
      const results = await applySeed(await runtime.kms(), keys)
      stdout.write(`${JSON.stringify({ Keys: results }, null, 4)}\n`)
    })
  kms
    .command('advance-clock')
    .description(
      "sealbox only: move the embedded KMS's clock forward, for every process sharing the keystore",
    )
    .option('--days <n>', 'days to add')
    .option('--hours <n>', 'hours to add')
    .option('--seconds <n>', 'seconds to add')
    .addHelpText(
      'after',
      `
Rotations, deletion windows and import expiry read this clock, so they happen in seconds:
  sealbox kms enable-key-rotation --key-id KEY --rotation-period-in-days 90
  sealbox kms advance-clock --days 90      # the next KMS call rotates the key
Prints the keystore's new time.`,
    )
    .action(async (flags: { days?: string; hours?: string; seconds?: string }) => {
      const { clockAdvance } = await import('../kms/clock-advance.js')
      const now = await runtime.advanceClock(clockAdvance(flags))
      stdout.write(`${now.toISOString()}\n`)
    })
}
