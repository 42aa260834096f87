import { SealboxError } from '../../errors/index.js'
import { decodeWrappedKeys, JOBS_TABLE } from '../../records/index.js'
import { checkColumns, needFlag, type RecordsIo } from './records-job.js'
import { openDatabase, type OpenDatabase } from './open-database.js'

export interface StatusFlags {
  db?: string
  table?: string
  idColumn?: string
  keyColumn?: string
  field?: string[]
  output?: string
}

export interface TableStatus {
  table: string
  records: number
  /** Records by the KMS keys (ARNs, comma-separated, in stored order) their data key is wrapped under. */
  byKeys: Record<string, number>
  /** Records with no data key: never encrypted, or shredded. */
  withoutKey: number
  /** Of those, records still holding a value in an encrypted field (`--field`): unreadable. */
  withoutKeyButEncrypted: number
  /** Records whose key column sealbox cannot parse. */
  unreadableKey: number
  jobs: Array<Record<string, unknown>>
}

const PAGE = 1000

/**
 * `sealbox records status --db DB --table T [--field F…]`: how many records are under which KMS
 * keys (is a rotation finished?), how many have no key, how many hold encrypted values without
 * a key (shredded or damaged), and the checkpoints of rotation and migration jobs. Reads only
 * the id, key and named field columns, a page at a time; calls no KMS.
 */
export async function recordsStatus(flags: StatusFlags, io: RecordsIo): Promise<void> {
  const table = needFlag(flags.table, '--table', 'the table whose records to count')
  if (flags.output !== undefined && flags.output !== 'text' && flags.output !== 'json') {
    throw new SealboxError(
      'UsageError',
      `unknown output format '${flags.output}': expected text or json`,
    )
  }
  const idColumn = flags.idColumn ?? 'id'
  const keyColumn = flags.keyColumn ?? 'encrypted_kms_key'
  const fields = flags.field ?? []
  const database = await openDatabase(flags.db)
  try {
    await checkColumns(database, table, [idColumn, keyColumn, ...fields])
    const status = await countKeys(database, { table, idColumn, keyColumn, fields })
    status.jobs = await jobsOf(database, table)
    if (flags.output === 'json') {
      io.stdout.write(`${JSON.stringify(status, null, 2)}\n`)
      return
    }
    const lines: Array<[string, string | number]> = [
      ['records', status.records],
      ...Object.entries(status.byKeys)
        .sort((a, b) => b[1] - a[1])
        .map(([keys, n]): [string, number] => [`under ${keys}`, n]),
      ['without a data key', status.withoutKey],
    ]
    if (fields.length > 0)
      lines.push([
        '  of which hold encrypted values (shredded or damaged)',
        status.withoutKeyButEncrypted,
      ])
    if (status.unreadableKey > 0)
      lines.push(['with an unreadable key column', status.unreadableKey])
    for (const [label, n] of lines) io.stdout.write(`${label}\t${n}\n`)
    for (const job of status.jobs) {
      io.stdout.write(
        `job ${String(job['id'])}\t${String(job['state'])}, ${String(job['done_count'])} records done, updated ${String(job['updated_at'])}\n`,
      )
    }
  } finally {
    await database.close()
  }
}

async function countKeys(
  database: OpenDatabase,
  t: { table: string; idColumn: string; keyColumn: string; fields: string[] },
): Promise<TableStatus> {
  const status: TableStatus = {
    table: t.table,
    records: 0,
    byKeys: {},
    withoutKey: 0,
    withoutKeyButEncrypted: 0,
    unreadableKey: 0,
    jobs: [],
  }
  let cursor: unknown
  for (;;) {
    let q = database.db.selectFrom(t.table).select([t.idColumn, t.keyColumn, ...t.fields])
    if (cursor !== undefined) q = q.where(t.idColumn, '>', cursor)
    const rows = (await q.orderBy(t.idColumn).limit(PAGE).execute()) as Array<
      Record<string, unknown>
    >
    for (const row of rows) {
      status.records++
      const stored = row[t.keyColumn]
      if (stored === null || stored === undefined) {
        status.withoutKey++
        if (t.fields.some((f) => row[f] !== null && row[f] !== undefined))
          status.withoutKeyButEncrypted++
        continue
      }
      try {
        const keys = decodeWrappedKeys(String(stored), `${t.table} ${String(row[t.idColumn])}`)
        const label = keys.map((k) => k.keyArn).join(',')
        status.byKeys[label] = (status.byKeys[label] ?? 0) + 1
      } catch {
        status.unreadableKey++
      }
    }
    if (rows.length < PAGE) return status
    cursor = rows[rows.length - 1]![t.idColumn]
  }
}

/** The table's job checkpoints, if the checkpoint table exists. */
async function jobsOf(
  database: OpenDatabase,
  table: string,
): Promise<Array<Record<string, unknown>>> {
  try {
    const rows = (await database.db.selectFrom(JOBS_TABLE).selectAll().execute()) as Array<
      Record<string, unknown>
    >
    return rows.filter((r) => r['table_name'] === table)
  } catch {
    return []
  }
}
