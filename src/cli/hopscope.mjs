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
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv);
