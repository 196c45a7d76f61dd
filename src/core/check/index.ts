/** `hopscope check`: expectations, verdicts, output rows, sharding; pure (see README "`hopscope check`"). */
export * from './expect.ts';
export * from './format.ts';
export * from './isolation.ts';
export * from './shard.ts';
export * from './types.ts';
export * from './verdict.ts';
