/**
 * The one protocol between extension pages (DevTools panel, panel tab, popup) and the service
 * worker. A page opens a long-lived port named PORT_NAME and subscribes to a tab (or to all
 * tabs); the worker answers with a snapshot, then live updates. A big store comes newest first,
 * a chunk at a time: the page asks for the next one (`hopscope/more`) once it has shown the last. Each message is a schema below:
 * its type is derived from the schema, and every incoming message is validated with it before
 * use, so what a sender writes and what a handler reads cannot drift apart.
 */
import * as z from 'zod/mini';
import type { Chain } from '../core/model/chain.ts';

export const PROTOCOL_VERSION = 2;
export const PORT_NAME = 'hopscope/chains';

/** One-off message from the content script: the document has `<meta http-equiv=refresh>`. */
export const META_REFRESH_MESSAGE = 'hopscope/meta-refresh';

/**
 * Every schema of the protocol. Built in a function marked free of side effects so that the
 * content script, which imports only META_REFRESH_MESSAGE, bundles none of zod.
 */
// @__NO_SIDE_EFFECTS__
function schemas() {
  // Extension pages and the worker forbid eval (MV3 CSP): without this, zod probes
  // `new Function` when it builds an object schema.
  z.config({ jitless: true });

  /** A tab, or null: every tab. */
  const tabId = z.nullable(z.int());
  /** Chains come from our own recorder: the worker's messages are checked for shape only. */
  const chains = z.array(z.custom<Chain>((value) => typeof value === 'object' && value !== null));

  const page = z.discriminatedUnion('type', [
    /** Replaces any earlier subscription on this port. */
    z.object({
      type: z.literal('hopscope/subscribe'),
      version: z.number(),
      tabId,
      /**
       * This page shows subresource chains (the panel; the popup shows pages only): the worker
       * records them while it is subscribed.
       */
      subresources: z.optional(z.boolean()),
    }),
    /** Forget the chains of a tab (null: all). */
    z.object({ type: z.literal('hopscope/clear'), tabId }),
    /** The next chunk of older chains, after a message with `more`: the page has shown it. */
    z.object({ type: z.literal('hopscope/more') }),
  ]);

  /** Older chains of the snapshot are left to send: the page asks for them with hopscope/more. */
  const more = z.optional(z.boolean());

  const worker = z.discriminatedUnion('type', [
    /** The newest chains for the subscription, oldest first; older ones follow as updates. */
    z.object({
      type: z.literal('hopscope/snapshot'),
      chains,
      evicted: z.number(),
      /** The journey of the page the tab shows now (null: unknown, or every tab). */
      current: z.nullable(z.string()),
      more,
    }),
    /** Chains added or changed since the last message, oldest first, and chains removed. */
    z.object({
      type: z.literal('hopscope/update'),
      chains,
      removed: z.array(z.string()),
      evicted: z.number(),
      current: z.nullable(z.string()),
      more,
    }),
    z.object({ type: z.literal('hopscope/error'), message: z.string() }),
  ]);

  const metaRefresh = z.object({
    type: z.literal(META_REFRESH_MESSAGE),
    url: z.string().check(z.maxLength(65_536)),
    content: z.string().check(z.maxLength(4096)),
  });

  return { page, worker, metaRefresh };
}

const SCHEMAS = schemas();

/** A message a page sends to the worker. */
export type PageMessage = z.output<typeof SCHEMAS.page>;
/** A message the worker sends to a page. */
export type WorkerMessage = z.output<typeof SCHEMAS.worker>;
/** The worker's messages by type. */
export type WorkerToPage = { [M in WorkerMessage as M['type']]: M };
/** The content script's message. */
export type MetaRefreshMessage = z.output<typeof SCHEMAS.metaRefresh>;

/** The value as the schema reads it (unknown keys dropped), or undefined when it does not fit. */
function parse<T>(schema: z.ZodMiniType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Validates a message from a page; undefined when it is not one this protocol knows. */
export function parsePageMessage(value: unknown): PageMessage | undefined {
  return parse(SCHEMAS.page, value);
}

/** Validates a message from the worker. */
export function parseWorkerMessage(value: unknown): WorkerMessage | undefined {
  return parse(SCHEMAS.worker, value);
}

/** Validates the content script's message. */
export function parseMetaRefreshMessage(value: unknown): MetaRefreshMessage | undefined {
  return parse(SCHEMAS.metaRefresh, value);
}
