/**
 * The `_hopscope` fields Hopscope adds to each HAR entry: one schema, which the export's type is
 * derived from and the import reads with. Lenient on reading: a malformed field falls back
 * (the import re-derives every conclusion from the entry's facts anyway), a malformed
 * `chainId`/`hopIndex` makes the entry one of another tool's.
 */
import * as z from 'zod/mini';
import { RULE_IDS, SEVERITIES } from '../analyze/findings/types.ts';

// Extension pages forbid eval (MV3 CSP): without this, zod probes `new Function` when it builds
// an object schema, which the panel reports as a CSP violation.
z.config({ jitless: true });

export const CACHE_VERDICTS = [
  'from-cache',
  'cacheable-by-default',
  'cacheable-explicit',
  'not-cacheable',
  'not-applicable',
] as const;

const HOP_KINDS = ['server', 'internal', 'client'] as const;
const METHOD_CHANGE_KINDS = ['changed', 'kept', 'none'] as const;
const CLIENT_REDIRECT_TYPES = ['meta-refresh', 'refresh-header', 'javascript'] as const;

const MethodChangeSchema = z.object({
  kind: z.enum(METHOD_CHANGE_KINDS),
  from: z.string(),
  to: z.string(),
  bodyDropped: z.boolean(),
  reason: z.string(),
});

export const OutcomeSchema = z.union([
  z.object({ state: z.literal('pending') }),
  z.object({ state: z.literal('completed'), statusCode: z.int() }),
  z.object({ state: z.literal('error'), error: z.string(), tooManyRedirects: z.optional(z.boolean()) }),
]);

export const ClientRedirectSchema = z.object({
  type: z.enum(CLIENT_REDIRECT_TYPES),
  delaySeconds: z.optional(z.number().check(z.gte(0))),
  afterMs: z.number().check(z.gte(0)),
});

const FindingSchema = z.object({
  rule: z.enum(RULE_IDS),
  severity: z.enum(SEVERITIES),
  hop: z.int().check(z.gte(0)),
  message: z.string(),
  source: z.optional(z.object({ title: z.string(), url: z.string() })),
});

/** What the export writes under `_hopscope`: one declaration, the type and the reader derive from it. */
const FIELDS = {
  /** Links the hops of one chain: HAR itself has no such field. */
  chainId: z.string().check(z.minLength(1)),
  hopIndex: z.int().check(z.gte(0)),
  hopCount: z.int().check(z.gte(1)),
  kind: z.enum(HOP_KINDS),
  internalReason: z.optional(z.string()),
  /** Conclusions, written for readers of the file; the import derives them again from the facts. */
  methodChange: z.optional(MethodChangeSchema),
  cache: z.object({ verdict: z.enum(CACHE_VERDICTS), reason: z.string() }),
  crossOrigin: z.boolean(),
  downgrade: z.boolean(),
  repeatsHop: z.optional(z.int().check(z.gte(0))),
  /** On `client` hops: how the page moved on (meta refresh, Refresh header, JavaScript). */
  clientRedirect: z.optional(ClientRedirectSchema),
  /** The browser made this hop without reporting it to extensions; Hopscope inferred it (HTTPS-Upgrades). */
  inferred: z.optional(z.literal(true)),
  /** What the rules found about this hop; derived, like the other conclusions. */
  findings: z.optional(z.array(FindingSchema)),
  chainOutcome: OutcomeSchema,
  tabId: z.int(),
  frameId: z.int(),
};

/** The `_hopscope` object of one entry, as the export writes it (documented in the README). */
export const HopscopeSchema = z.object(FIELDS);
export type HarHopscopeEntry = z.output<typeof HopscopeSchema>;

type Lenient<S extends Record<string, z.ZodMiniType>> = {
  [K in keyof S]: z.ZodMiniCatch<z.ZodMiniOptional<S[K]>>;
};

/** Each field read on its own: a malformed one is left out rather than losing the entry. */
function lenient<S extends Record<string, z.ZodMiniType>>(shape: S): Lenient<S> {
  const out: Record<string, z.ZodMiniType> = {};
  for (const [key, schema] of Object.entries(shape)) out[key] = z.catch(z.optional(schema), undefined);
  return out as Lenient<S>;
}

/**
 * How the import reads `_hopscope`: `chainId` and `hopIndex` are required (without them the
 * entry is read as another tool's), every other field may be missing or malformed.
 */
export const HopscopeReadSchema = z.object({
  ...lenient(FIELDS),
  chainId: FIELDS.chainId,
  hopIndex: FIELDS.hopIndex,
  tabId: z.catch(z.int(), -1),
  frameId: z.catch(z.int(), 0),
});

export type HopscopeFields = z.output<typeof HopscopeReadSchema>;

// ——— Reading without zod what the export writes ———
//
// A large file is thousands of `_hopscope` objects, all as the export wrote them, and zod spent
// as long reading them as JSON.parse the whole file. `exactly` takes an object whose every field
// has exactly the schema's type and copies it in the schema's key order (unknown keys dropped,
// as zod drops them); anything else is left to HopscopeReadSchema, which knows the fallbacks.
// tests/unit/har-schema.test.ts checks that both read the same.

type Json = Record<string, unknown>;
const BAD = Symbol('malformed');
type Read<T> = T | typeof BAD;

const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min = Number.NEGATIVE_INFINITY): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min;
const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T => list.includes(v as T);
const optional = <T>(v: unknown, read: (v: unknown) => Read<T>): Read<T | undefined> =>
  v === undefined ? undefined : read(v);
const string = (v: unknown): Read<string> => (typeof v === 'string' ? v : BAD);
const boolean = (v: unknown): Read<boolean> => (typeof v === 'boolean' ? v : BAD);

function methodChange(v: unknown): Read<NonNullable<HarHopscopeEntry['methodChange']>> {
  if (!isJson(v) || !isOneOf(METHOD_CHANGE_KINDS, v.kind) || typeof v.bodyDropped !== 'boolean') return BAD;
  if (typeof v.from !== 'string' || typeof v.to !== 'string' || typeof v.reason !== 'string') return BAD;
  return { kind: v.kind, from: v.from, to: v.to, bodyDropped: v.bodyDropped, reason: v.reason };
}

/**
 * A nested field that most entries do not have (a client redirect, findings), read through its
 * own schema: a few per chain, so zod's speed does not matter there (a method change, on every
 * redirect, is read by hand above: through zod, the import took x1.34-1.47 of JSON.parse
 * instead of x1.19).
 */
const bySchema =
  <T>(schema: z.ZodMiniType<T>) =>
  (v: unknown): Read<T> => {
    const read = schema.safeParse(v);
    return read.success ? read.data : BAD;
  };
const clientRedirect = bySchema(ClientRedirectSchema);
const findings = bySchema(z.array(FindingSchema));

function cache(v: unknown): Read<HarHopscopeEntry['cache']> {
  if (!isJson(v) || !isOneOf(CACHE_VERDICTS, v.verdict) || typeof v.reason !== 'string') return BAD;
  return { verdict: v.verdict, reason: v.reason };
}

function outcome(v: unknown): Read<HarHopscopeEntry['chainOutcome']> {
  if (!isJson(v)) return BAD;
  if (v.state === 'pending') return { state: 'pending' };
  if (v.state === 'completed') return isInt(v.statusCode) ? { state: 'completed', statusCode: v.statusCode } : BAD;
  if (v.state !== 'error' || typeof v.error !== 'string') return BAD;
  if (v.tooManyRedirects === undefined) return { state: 'error', error: v.error };
  if (typeof v.tooManyRedirects !== 'boolean') return BAD;
  return { state: 'error', error: v.error, tooManyRedirects: v.tooManyRedirects };
}

function exactly(v: Json): HopscopeFields | undefined {
  const { chainId, hopIndex, tabId, frameId } = v;
  if (typeof chainId !== 'string' || !chainId || !isInt(hopIndex, 0) || !isInt(tabId) || !isInt(frameId)) return;
  // In the order of FIELDS, as zod writes them.
  const read: Record<string, unknown> = {
    hopCount: optional(v.hopCount, (x) => (isInt(x, 1) ? x : BAD)),
    kind: optional(v.kind, (x) => (isOneOf(HOP_KINDS, x) ? x : BAD)),
    internalReason: optional(v.internalReason, string),
    methodChange: optional(v.methodChange, methodChange),
    cache: optional(v.cache, cache),
    crossOrigin: optional(v.crossOrigin, boolean),
    downgrade: optional(v.downgrade, boolean),
    repeatsHop: optional(v.repeatsHop, (x) => (isInt(x, 0) ? x : BAD)),
    clientRedirect: optional(v.clientRedirect, clientRedirect),
    inferred: optional(v.inferred, (x) => (x === true ? true : BAD)),
    findings: optional(v.findings, findings),
    chainOutcome: optional(v.chainOutcome, outcome),
  };
  const out: Json = { chainId, hopIndex };
  for (const key in read) {
    const value = read[key];
    if (value === BAD) return;
    if (value !== undefined) out[key] = value;
  }
  out.tabId = tabId;
  out.frameId = frameId;
  return out as HopscopeFields;
}

/** An entry's `_hopscope` as the import reads it (HopscopeReadSchema), or undefined if unusable. */
export function readHopscope(raw: unknown): HopscopeFields | undefined {
  if (raw === undefined) return undefined;
  const fast = isJson(raw) ? exactly(raw) : undefined;
  if (fast) return fast;
  const read = HopscopeReadSchema.safeParse(raw);
  return read.success ? read.data : undefined;
}
