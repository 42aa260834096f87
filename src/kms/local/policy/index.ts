export {
  evaluatePolicy,
  roleOfSession,
  type PolicyRequest,
  type PolicyDecision,
} from './evaluate-policy.js'
export { validatePolicy } from './validate-policy.js'
export { MAX_POLICY_BYTES } from './compile-policy.js'
export {
  defaultKeyPolicy,
  keyPolicyFor,
  KEY_ADMINISTRATOR_ACTIONS,
  KEY_USER_ACTIONS,
} from './key-policies.js'
