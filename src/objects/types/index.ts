export type {
  ObjectInfo,
  PutOptions,
  GetOptions,
  ListOptions,
  ListPage,
  Body,
  ObjectStore,
} from './object-store.js'
export { checkObjectKey, compareUtf8, RESERVED_NAME_PREFIX } from './object-key.js'
export { abortable, interrupted, refuseIfAborted } from './abortable.js'
