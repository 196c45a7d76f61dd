#!/usr/bin/env node
// The `hopscope` command: the CLI as compiled by `npm run build` (vite.cli.config.ts) into
// dist-cli/, plain JavaScript, no TypeScript transpiler at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../../dist-cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    `hopscope: the command is not built yet (${fileURLToPath(compiled)} is missing): run npm run build in ${fileURLToPath(new URL('../..', import.meta.url))}.\n`,
  );
  process.exit(2);
}
// A reader that stopped reading (`hopscope har x.har | head`) has closed the pipe: the rest of
// the output is not wanted. Stop as Unix tools stopped by SIGPIPE do (exit 141), without a trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(141);
    throw error;
  });
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv);
