import { SealboxError } from '../errors/index.js'

/**
 * A small schema language for AWS JSON request members. A shape checks a wire value (PascalCase
 * members, base64 blobs, epoch-second numbers) and returns it pruned to the members it knows,
 * ready for `fromWire`. Wrong JSON types are `SerializationException`s (thrown at once);
 * broken constraints are collected and reported together as one `ValidationException`, in
 * AWS's words ("1 validation error detected: Value at 'keyId' failed to satisfy constraint: …").
 * Values are never echoed: they may be plaintext or secrets.
 */
export interface Shape<T> {
  readonly required: boolean
  /** Phantom: the port type this shape produces after `fromWire`. */
  readonly type?: T
  check(value: unknown, path: string, issues: string[]): unknown
}

export type Infer<S> = S extends Shape<infer T> ? T : never

type Fields = Record<string, Shape<unknown>>
type RequiredKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends { required: true } ? K : never
}[keyof F]
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>
type Flatten<T> = { [K in keyof T]: T[K] }
export type StructType<F extends Fields> = Flatten<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>

function serialization(path: string, expected: string): SealboxError {
  return new SealboxError('SerializationException', `Value at '${path}' must be ${expected}`)
}

function lengthIssues(
  length: number,
  min: number | undefined,
  max: number | undefined,
  path: string,
  issues: string[],
): void {
  if (min !== undefined && length < min) {
    issues.push(
      `Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
    )
  }
  if (max !== undefined && length > max) {
    issues.push(
      `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    )
  }
}

interface LengthLimits {
  min?: number
  max?: number
}

export function string(limits: LengthLimits & { pattern?: RegExp } = {}): Shape<string> {
  return {
    required: false,
    check(value, path, issues) {
      if (typeof value !== 'string') throw serialization(path, 'a string')
      lengthIssues(value.length, limits.min, limits.max, path, issues)
      if (limits.pattern !== undefined && !limits.pattern.test(value)) {
        issues.push(
          `Value at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${limits.pattern.source}`,
        )
      }
      return value
    },
  }
}

export function enumOf<const V extends string>(...values: V[]): Shape<V> {
  const allowed = new Set<string>(values)
  return {
    required: false,
    check(value, path, issues) {
      if (typeof value !== 'string') throw serialization(path, 'a string')
      if (!allowed.has(value)) {
        issues.push(
          `Value at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
        )
      }
      return value
    },
  }
}

export function integer(limits: { min?: number; max?: number } = {}): Shape<number> {
  return {
    required: false,
    check(value, path, issues) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw serialization(path, 'an integer')
      if (limits.min !== undefined && value < limits.min) {
        issues.push(
          `Value at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${limits.min}`,
        )
      }
      if (limits.max !== undefined && value > limits.max) {
        issues.push(
          `Value at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${limits.max}`,
        )
      }
      return value
    },
  }
}

export function boolean(): Shape<boolean> {
  return {
    required: false,
    check(value, path) {
      if (typeof value !== 'boolean') throw serialization(path, 'a boolean')
      return value
    },
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** A blob: standard padded base64 on the wire; the limits are on the decoded bytes. */
export function blob(limits: LengthLimits = {}): Shape<Uint8Array> {
  return {
    required: false,
    check(value, path, issues) {
      if (typeof value !== 'string' || !BASE64.test(value))
        throw serialization(path, 'a base64 string')
      const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0
      lengthIssues((value.length / 4) * 3 - padding, limits.min, limits.max, path, issues)
      return value
    },
  }
}

// Date's range is ±8.64e15 ms; anything beyond is not a time.
const MAX_EPOCH_SECONDS = 8.64e12

export function timestamp(): Shape<Date> {
  return {
    required: false,
    check(value, path) {
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        Math.abs(value) > MAX_EPOCH_SECONDS
      ) {
        throw serialization(path, 'a number of epoch seconds')
      }
      return value
    },
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A string-to-string map (an encryption context): any keys, kept as sent. */
export function stringMap(limits: { maxEntries?: number } = {}): Shape<Record<string, string>> {
  return {
    required: false,
    check(value, path, issues) {
      if (!isObject(value)) throw serialization(path, 'a map of strings')
      const out: Record<string, string> = {}
      let entries = 0
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw serialization(`${path}.${k}`, 'a string')
        // defineProperty, so a member named __proto__ stays data
        Object.defineProperty(out, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        })
        entries++
      }
      if (limits.maxEntries !== undefined && entries > limits.maxEntries) {
        issues.push(
          `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${limits.maxEntries}`,
        )
      }
      return out
    },
  }
}

export function list<T>(item: Shape<T>, limits: LengthLimits = {}): Shape<T[]> {
  return {
    required: false,
    check(value, path, issues) {
      if (!Array.isArray(value)) throw serialization(path, 'a list')
      lengthIssues(value.length, limits.min, limits.max, path, issues)
      return value.map((v, i) => {
        const itemPath = `${path}.${i + 1}.member`
        if (v === null || v === undefined) {
          issues.push(
            `Value null at '${itemPath}' failed to satisfy constraint: Member must not be null`,
          )
          return v
        }
        return item.check(v, itemPath, issues)
      })
    },
  }
}

function wireName(name: string): string {
  return name[0]!.toUpperCase() + name.slice(1)
}

/** A structure; field names are the port's camelCase names, read from their PascalCase wire names. */
export function struct<F extends Fields>(fields: F): Shape<StructType<F>> {
  const entries = Object.entries(fields).map(
    ([name, shape]) => [name, wireName(name), shape] as const,
  )
  return {
    required: false,
    check(value, path, issues) {
      if (!isObject(value)) throw serialization(path || 'body', 'a structure')
      const out: Record<string, unknown> = {}
      for (const [name, wire, shape] of entries) {
        const member = Object.hasOwn(value, wire) ? value[wire] : undefined
        const memberPath = path === '' ? name : `${path}.${name}`
        if (member === null || member === undefined) {
          if (shape.required) {
            issues.push(
              `Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`,
            )
          }
          continue
        }
        out[wire] = shape.check(member, memberPath, issues)
      }
      return out
    },
  }
}

export function required<T>(shape: Shape<T>): Shape<T> & { readonly required: true } {
  return { ...shape, required: true }
}

/**
 * Checks a request body against an operation's input shape; returns the pruned wire value.
 * Throws `SerializationException` or `ValidationException`.
 */
export function checkInput(shape: Shape<unknown>, body: unknown): Record<string, unknown> {
  const issues: string[] = []
  const pruned = shape.check(body, '', issues) as Record<string, unknown>
  if (issues.length > 0) {
    const n = issues.length
    throw new SealboxError(
      'ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${issues.join('; ')}`,
    )
  }
  return pruned
}
