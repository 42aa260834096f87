import type { AuditEvent } from '../../audit/types/index.js'

const COLUMNS = ['SEQ', 'TIME', 'PRINCIPAL', 'OPERATION', 'KEY', 'OUTCOME', 'CONTEXT'] as const

function shortKey(arn: string | undefined): string {
  if (arn === undefined) return '-'
  const slash = arn.lastIndexOf(':key/')
  return slash < 0 ? arn : arn.slice(slash + 5)
}

function contextText(context: AuditEvent['encryptionContext']): string {
  if (context === undefined) return '-'
  const pairs = Object.entries(context)
  return pairs.length === 0 ? '-' : pairs.map(([k, v]) => `${k}=${v}`).join(',')
}

// Control characters in principal names or context values must not move the terminal.
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Events as aligned columns: the key as its id (the JSON output has the full ARN). */
export function eventTable(events: readonly AuditEvent[]): string {
  const rows = events.map((e) =>
    [
      String(e.seq),
      e.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      e.principal,
      e.operation,
      shortKey(e.keyArn),
      e.outcome,
      contextText(e.encryptionContext),
    ].map(printable),
  )
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd() + '\n'
  return line(COLUMNS) + rows.map(line).join('')
}

/** An event as JSON: times in ISO 8601, absent fields left out. */
export function eventJson(e: AuditEvent): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({ ...e, time: e.time.toISOString() }).filter(([, v]) => v !== undefined),
  )
}
