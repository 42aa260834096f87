export type {
  ObjectInfo,
  PutOptions,
  GetOptions,
  ListOptions,
  ListPage,
  Body,
  ObjectStore,
} from './object-store.js'
