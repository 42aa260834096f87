import { SqliteAuditLog } from '../../src/audit/log/index.js'
import { systemClock } from '../../src/clock/index.js'
import { Keystore, LocalKms } from '../../src/kms/local/index.js'
import { tempHome } from '../server/support/cli.js'
import { kmsConformance } from './conformance-suite.js'

// Target 1: the embedded KMS, called in-process.
kmsConformance('the embedded KMS in-process', () => {
  const keystore = Keystore.open({ home: tempHome() })
  const audit = new SqliteAuditLog(keystore.db)
  const local = new LocalKms({
    keystore,
    audit,
    clock: systemClock,
    region: 'us-east-1',
    accountId: '111122223333',
  })
  return Promise.resolve({
    principal: 'arn:aws:iam::111122223333:user/conformance',
    kms: local.forCaller({
      principal: 'arn:aws:iam::111122223333:user/conformance',
      accountId: '111122223333',
    }),
    close: () => {
      local.close()
      keystore.close()
      return Promise.resolve()
    },
  })
})
