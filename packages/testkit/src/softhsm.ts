import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp-dir.js';

/** Debian's SoftHSM2 (`apt-get install softhsm2`): a real PKCS#11 token for the tests. */
export const SOFTHSM_LIBRARY = process.env.SOFTHSM2_LIBRARY ?? '/usr/lib/softhsm/libsofthsm2.so';

export function softHsmAvailable(): boolean {
  if (existsSync(SOFTHSM_LIBRARY) || process.env.CI) return true;
  process.stderr.write(`[pkcs11] skipped: no SoftHSM2 at ${SOFTHSM_LIBRARY} (apt-get install -y softhsm2)\n`);
  return false;
}

/** A fresh token in a temporary folder; SOFTHSM2_CONF points the library at it for this process. */
export async function initialiseToken(label: string, pin: string) {
  const dir = await tempDir('openkcm-softhsm-');
  const tokens = join(dir.path, 'tokens');
  const conf = join(dir.path, 'softhsm2.conf');
  await promisify(execFile)('mkdir', ['-p', tokens]);
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  await promisify(execFile)(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', `${pin}-so`],
    {
      env: { ...process.env, SOFTHSM2_CONF: conf },
    },
  );
  const pinFile = join(dir.path, 'pin');
  const wrongPinFile = join(dir.path, 'wrong-pin');
  await writeFile(pinFile, `${pin}\n`, { mode: 0o600 });
  await writeFile(wrongPinFile, '000000\n', { mode: 0o600 });
  return { pinFile, wrongPinFile, remove: dir.remove };
}
