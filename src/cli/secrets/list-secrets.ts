import type { SecretVersion } from '../../secrets/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Runtime } from '../runtime/index.js'
import type { Io } from './io.js'
import { openSecretStore, type StoreFlags } from './open-secret-store.js'

export interface ListFlags extends StoreFlags {
  output?: string
  deleted?: boolean
}

/** `sealbox secrets ls [PATTERN…]`: the latest version of every matching secret, every page. */
export async function listSecrets(
  runtime: Runtime,
  patterns: string[],
  flags: ListFlags,
  io: Io,
): Promise<void> {
  const json = outputIsJson(flags.output)
  const secrets = await openSecretStore(runtime, flags, false)
  const rows = await secrets.list(patterns, { includeDeleted: flags.deleted === true })
  io.stdout.write(
    json
      ? toJson(rows)
      : toTable(rows, ['PATH', 'VERSION', 'SIZE', 'MODIFIED', 'KEY'], (r) => [
          r.path,
          ...versionCells(r),
        ]),
  )
}

/** `sealbox secrets history PATH`: every version, oldest first, deletion markers included. */
export async function showHistory(
  runtime: Runtime,
  path: string,
  flags: ListFlags,
  io: Io,
): Promise<void> {
  const json = outputIsJson(flags.output)
  const secrets = await openSecretStore(runtime, flags, false)
  const rows = await secrets.history(path)
  io.stdout.write(
    json ? toJson(rows) : toTable(rows, ['VERSION', 'SIZE', 'MODIFIED', 'KEY'], versionCells),
  )
}

function outputIsJson(output: string | undefined): boolean {
  if (output === undefined || output === 'text') return false
  if (output === 'json') return true
  throw new SealboxError('UsageError', `unknown output format '${output}': expected text or json`)
}

function versionCells(r: SecretVersion): string[] {
  return [
    String(r.version),
    r.deleted ? '-' : String(r.size),
    r.modified.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    r.deleted ? '(deleted)' : r.keyArns.join(',') || '?',
  ]
}

function toJson(rows: SecretVersion[]): string {
  const out = rows.map((r) => ({
    path: r.path,
    version: r.version,
    deleted: r.deleted,
    size: r.size,
    storedSize: r.storedSize,
    modified: r.modified.toISOString(),
    keyArns: r.keyArns,
  }))
  return `${JSON.stringify(out, null, 2)}\n`
}

function toTable(
  rows: SecretVersion[],
  titles: string[],
  cells: (r: SecretVersion) => string[],
): string {
  const table = [titles, ...rows.map(cells)]
  const widths = titles.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  return table
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n')
}
