export { SqliteAuditLog } from './sqlite-audit-log.js'
export { eventHash, GENESIS_HASH } from './event-hash.js'
export { GroupCommitAuditLog } from './group-commit-audit-log.js'
