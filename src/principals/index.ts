export {
  PrincipalStore,
  type Principal,
  type PrincipalInfo,
  type SecretSealer,
} from './principal-store.js'
