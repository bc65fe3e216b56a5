import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pkcs11js from 'pkcs11js';
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
  return { pin, pinFile, wrongPinFile, remove: dir.remove };
}

/**
 * An AES-256 key in the token, as an HSM administrator would make it for an Account: sensitive,
 * never extractable, allowed to encrypt and wrap. The library is finalised afterwards.
 */
export async function createAesKey(tokenLabel: string, pin: string, keyLabel: string): Promise<void> {
  const module = new pkcs11js.PKCS11();
  module.load(SOFTHSM_LIBRARY);
  module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  try {
    const slot = module
      .C_GetSlotList(true)
      .find((candidate) => module.C_GetTokenInfo(candidate).label.trim() === tokenLabel);
    if (!slot) throw new Error(`no SoftHSM2 token labelled ${tokenLabel}`);
    const session = module.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
    module.C_Login(session, pkcs11js.CKU_USER, pin);
    module.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_LABEL, value: keyLabel },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
      { type: pkcs11js.CKA_WRAP, value: true },
      { type: pkcs11js.CKA_UNWRAP, value: true },
    ]);
    module.C_Logout(session);
    module.C_CloseSession(session);
  } finally {
    module.C_Finalize();
  }
}
