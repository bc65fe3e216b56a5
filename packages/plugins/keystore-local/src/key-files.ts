import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pluginErrors } from '@openkcm/plugin-sdk';
import { parse, Type } from '@openkcm/schema';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number },
) => Promise<Buffer>;

const KeystoreMeta = Type.Object({ salt: Type.String(), check: Type.String() });
const StoredKey = Type.Object({
  label: Type.String(),
  state: Type.Unsafe<'ENABLED' | 'DISABLED' | 'PENDING_DELETION'>({
    type: 'string',
    enum: ['ENABLED', 'DISABLED', 'PENDING_DELETION'],
  }),
  createdAt: Type.String(),
  deleteAfter: Type.Optional(Type.String()),
  versions: Type.Array(
    Type.Object({ version: Type.Integer({ minimum: 1 }), createdAt: Type.String(), sealed: Type.String() }),
    { minItems: 1 },
  ),
});
export type StoredKey = ReturnType<typeof parseKey>;
function parseKey(value: unknown) {
  return parse(StoredKey, value);
}

const CHECK_TEXT = 'openkcm-local-keystore';

function seal(kek: Buffer, plaintext: Buffer, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

function open(kek: Buffer, sealed: string, context: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, 12)).setAAD(Buffer.from(context));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
}

function unavailable(directory: string, error: unknown): Error {
  return pluginErrors.unavailable(
    `cannot use the keystore folder ${directory} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    error,
  );
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

/**
 * Root keys on disk, each version sealed under a key-encryption key derived from the keystore
 * passphrase (the local stand-in for an HSM PIN): a wrong passphrase is an authentication failure.
 */
export class KeyFiles {
  private kek: Buffer | undefined;

  constructor(
    private readonly directory: string,
    private readonly passphrase: string,
  ) {}

  private keyPath(label: string): string {
    return join(this.directory, 'keys', `${label}.json`);
  }

  /** Opens (or on first use creates) the keystore and proves the passphrase. */
  async unlock(): Promise<Buffer> {
    if (this.kek) return this.kek;
    const metaPath = join(this.directory, 'keystore.json');
    let meta: { salt: string; check: string };
    try {
      meta = parse(KeystoreMeta, JSON.parse(await readFile(metaPath, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        if ((error as NodeJS.ErrnoException).code) throw unavailable(this.directory, error);
        throw pluginErrors.unavailable(`${metaPath} is damaged`, error);
      }
      try {
        await mkdir(join(this.directory, 'keys'), { recursive: true, mode: 0o700 });
        const salt = randomBytes(16);
        const kek = await this.derive(salt);
        meta = { salt: salt.toString('base64'), check: seal(kek, Buffer.from(CHECK_TEXT), 'check') };
        await writeFile(metaPath, JSON.stringify(meta), { mode: 0o600, flag: 'wx' });
      } catch (createError) {
        if ((createError as NodeJS.ErrnoException).code === 'EEXIST') return this.unlock();
        throw unavailable(this.directory, createError);
      }
    }
    const kek = await this.derive(Buffer.from(meta.salt, 'base64'));
    try {
      open(kek, meta.check, 'check');
    } catch {
      throw pluginErrors.authenticationFailed('the local keystore passphrase is wrong');
    }
    this.kek = kek;
    return kek;
  }

  private derive(salt: Buffer): Promise<Buffer> {
    return scrypt(this.passphrase, salt, 32, { N: 16384, r: 8, p: 1 });
  }

  async read(label: string): Promise<StoredKey> {
    await this.unlock();
    let text: string;
    try {
      text = await readFile(this.keyPath(label), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw pluginErrors.keyNotFound(label);
      throw unavailable(this.directory, error);
    }
    return parseKey(JSON.parse(text));
  }

  async write(key: StoredKey): Promise<void> {
    await this.unlock();
    try {
      await writeAtomically(this.keyPath(key.label), JSON.stringify(key));
    } catch (error) {
      throw unavailable(this.directory, error);
    }
  }

  async newVersion(label: string, version: number): Promise<StoredKey['versions'][number]> {
    const kek = await this.unlock();
    return {
      version,
      createdAt: new Date().toISOString(),
      sealed: seal(kek, randomBytes(32), `${label}:${version}`),
    };
  }

  async material(key: StoredKey, version: number): Promise<Buffer> {
    const kek = await this.unlock();
    const stored = key.versions.find((candidate) => candidate.version === version);
    if (!stored) throw pluginErrors.decryptionFailed();
    return open(kek, stored.sealed, `${key.label}:${version}`);
  }
}
