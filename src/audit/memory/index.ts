export { MemoryAuditLog } from './memory-audit-log.js'
