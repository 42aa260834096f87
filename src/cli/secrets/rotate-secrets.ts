import { SealboxError } from '../../errors/index.js'
import type { RotationEvent } from '../../secrets/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'

export interface RotateFlags extends StoreFlags {
  dryRun?: boolean
  output?: string
}

/**
 * `sealbox secrets rotate [PATTERN…] [--key-id NEW] [--dry-run]`: a new data key for every
 * secret, under the KMS keys it is sealed under now, or moved to NEW with --key-id (only the flag
 * moves secrets: KMS_KEY_ID is the key of new puts). Progress on stderr; with --dry-run, the plan
 * on stdout. Interrupted runs resume where they stopped when started again.
 */
export async function rotateSecrets(
  runtime: Runtime,
  patterns: string[],
  flags: RotateFlags,
  io: Io,
): Promise<void> {
  const json = flags.output === 'json'
  if (flags.output !== undefined && !json && flags.output !== 'text') {
    throw new SealboxError(
      'UsageError',
      `unknown output format '${flags.output}': expected text or json`,
    )
  }
  const keyIds = flags.keyId === undefined ? [] : [flags.keyId]
  const moving = keyIds.length > 0
  const secrets = await openSecretStore(runtime, flags, false)
  const target = moving ? undefined : 'the keys each is sealed under now'
  const events: RotationEvent[] = []
  const report = await secrets.rotate({
    keyIds,
    patterns,
    dryRun: flags.dryRun === true,
    onProgress: (event) => {
      if (flags.dryRun === true) {
        events.push(event)
      } else if (event.outcome === 'rotated') {
        io.stderr.write(
          `sealbox: rotated ${event.path} version ${event.version} -> ${event.newVersion}\n`,
        )
      } else if (event.outcome === 'failed') {
        const message = event.error instanceof Error ? event.error.message : String(event.error)
        io.stderr.write(`sealbox: error: ${event.path}: ${message}\n`)
      }
    },
  })
  if (flags.dryRun === true) {
    events.sort((a, b) => (a.path < b.path ? -1 : 1))
    if (json) {
      const plan = events.map((e) => ({
        path: e.path,
        version: e.version,
        action: e.outcome,
        keyArns: e.keyArns,
      }))
      io.stdout.write(`${JSON.stringify({ targetKeyArns: report.targetKeyArns, plan }, null, 2)}\n`)
    } else {
      for (const e of events) {
        const action = e.outcome === 'rotate' ? 'rotate' : 'skip (fresh)'
        io.stdout.write(
          `${action}\t${e.path}\tversion ${e.version}\t${e.keyArns.join(',') || '?'}\n`,
        )
      }
      io.stderr.write(
        `sealbox: dry run: ${report.rotated} of ${report.total} secrets would be sealed again under ${target ?? report.targetKeyArns.join(',')}\n`,
      )
    }
    return
  }
  const summary = `${report.rotated} rotated, ${report.fresh} already fresh, ${report.failed.length} failed, of ${report.total}`
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ ...report, failed: report.failed.map((f) => ({ path: f.path, error: f.error instanceof Error ? f.error.message : String(f.error) })) }, null, 2)}\n`,
    )
  }
  if (report.failed.length > 0) {
    throw new SealboxError('RotationIncomplete', `rotation incomplete: ${summary}`, {
      hint: moving
        ? "run 'sealbox secrets rotate' again with the same --key-id to finish; rotated secrets are skipped"
        : "run 'sealbox secrets rotate' again (without --key-id) to finish; rotated secrets are skipped",
    })
  }
  io.stderr.write(`sealbox: rotation ${report.resumed ? 'resumed and ' : ''}finished: ${summary}\n`)
}
