/**
 * Chromium ignores its built-in HSTS preload list once its build is more than 70 days old
 * (net/http/transport_security_state.cc, IsBuildTimely). Debian's package is often older than
 * that, so the preload test runs Chromium with its clock set back near its build date through
 * libfaketime (Debian package `faketime`). Nothing else about the browser changes.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DAY_MS = 86_400_000;
const LIBFAKETIME = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
];

/** Days since the browser binary was built (its file time, as the package ships it). */
export function buildAgeDays(browserPath: string, now = Date.now()): number {
  return (now - statSync(realpathSync(browserPath)).mtimeMs) / DAY_MS;
}

/**
 * A launcher for `browserPath` whose clock reads a day after the binary's date when the build
 * is too old for its preload list; the browser itself when it is recent enough.
 */
export async function browserWithTimelyClock(browserPath: string): Promise<string> {
  const age = buildAgeDays(browserPath);
  if (age < 60) return browserPath;
  const lib = LIBFAKETIME.find((p) => existsSync(p));
  if (!lib) {
    throw new Error(
      `Chromium at ${browserPath} was built ${Math.round(age)} days ago, so it ignores its HSTS preload list; install faketime (apt-get install faketime) to run it with its clock set back.`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-timely-'));
  const wrapper = join(dir, 'chromium');
  const shiftDays = Math.floor(age) - 1;
  // The monotonic clock stays real. FAKETIME_FORCE_MONOTONIC_FIX=0: with it on (libfaketime
  // 0.9.10's default) a real monotonic clock makes pthread_cond_timedwait misbehave and
  // Chromium 156 hangs at startup (its renderers never answer).
  await writeFile(
    wrapper,
    `#!/bin/sh\nexport LD_PRELOAD="${lib}"\nexport FAKETIME="-${shiftDays}d"\nexport DONT_FAKE_MONOTONIC=1\nexport FAKETIME_FORCE_MONOTONIC_FIX=0\nexec "${browserPath}" "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  return wrapper;
}
