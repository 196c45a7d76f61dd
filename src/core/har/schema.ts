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

const MethodChangeSchema = z.object({
  kind: z.enum(['changed', 'kept', 'none']),
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
  type: z.enum(['meta-refresh', 'refresh-header', 'javascript']),
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
  kind: z.enum(['server', 'internal', 'client']),
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
