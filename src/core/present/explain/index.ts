/**
 * Plain-words explanations of a hop and of a whole chain, for the panel's detail view. Every
 * claim that follows a spec names it. Output is plain text: every untrusted value (URLs, header
 * values, status text, reasons read back from storage) passes through `printable`.
 */
export { explainChain } from './chain.ts';
export { type Explanation, explainHop } from './hop.ts';
export { describeNetError, type NetError } from './net-errors.ts';
