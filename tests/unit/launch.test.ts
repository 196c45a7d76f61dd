/**
 * Which browser `hopscope trace --browser PATH` runs: told by the file's name where it says it
 * (no first start of the browser before the launch), else by PATH --version.
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wantsFirefox } from '../../src/cli/launch.ts';

let dir: string;
let log: string;

/** A fake browser that writes its name to the log when run and says `version` to --version. */
async function fake(name: string, version: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\necho ${name} >> '${log}'\necho '${version}'\n`);
  await chmod(path, 0o755);
  return path;
}

const ran = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-launch-'));
  log = join(dir, 'ran.log');
});

describe('wantsFirefox', () => {
  it('goes by the name when it says Chromium or Firefox, without running the browser', async () => {
    // Each fake says the other browser to --version: a run would show in the answer and the log.
    expect(await wantsFirefox({ browserPath: await fake('chromium', 'Mozilla Firefox 128.0') })).toBe(false);
    expect(await wantsFirefox({ browserPath: await fake('google-chrome-stable', 'Mozilla Firefox 128.0') })).toBe(
      false,
    );
    expect(await wantsFirefox({ browserPath: await fake('firefox-esr', 'Chromium 150.0') })).toBe(true);
    expect(await ran()).toEqual([]);
  });

  it('asks --version when the name says neither, once per path', async () => {
    const path = await fake('browser-under-test', 'Mozilla Firefox 128.0esr');
    expect(await wantsFirefox({ browserPath: path })).toBe(true);
    expect(await wantsFirefox({ browserPath: path })).toBe(true);
    expect(await ran()).toEqual(['browser-under-test']);
    expect(await wantsFirefox({ browserPath: await fake('other-build', 'Chromium 150.0.7871.100') })).toBe(false);
  });

  it('--firefox wins, and no --browser means Chromium', async () => {
    expect(await wantsFirefox({ firefox: true })).toBe(true);
    expect(await wantsFirefox({})).toBe(false);
  });
});
