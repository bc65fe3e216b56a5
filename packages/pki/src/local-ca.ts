// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface ServingCertificate {
  /** PEM of the CA that clients trust (kubeconfig certificate-authority-data). */
  caPem: string;
  certPem: string;
  keyPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${base64.trimEnd()}\n-----END ${label}-----\n`;
}

async function exportKey(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
}

async function generate(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as unknown as CryptoKeyPair;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function issue(hosts: string[], name: string): Promise<ServingCertificate> {
  const now = Date.now();
  const caKeys = await generate();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name} local CA,O=OpenKCM development`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await generate();
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${name}`,
    issuer: ca.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 825 * DAY),
    signingAlgorithm: ALGORITHM,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((host) =>
          /^[\d.]+$|:/.test(host)
            ? { type: 'ip' as const, value: host }
            : { type: 'dns' as const, value: host },
        ),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    caPem: ca.toString('pem'),
    certPem: server.toString('pem'),
    keyPem: await exportKey(serverKeys.privateKey),
  };
}

/**
 * A serving certificate for loopback, issued by a CA of its own on the first start and kept
 * (0600) in `dir`, so clients that trusted the CA keep trusting it after a restart.
 */
export async function loadOrCreateServingCertificate(
  dir: string,
  name: string,
  hosts = ['127.0.0.1', 'localhost', '::1'],
): Promise<ServingCertificate> {
  const files = { caPem: join(dir, 'ca.crt'), certPem: join(dir, 'tls.crt'), keyPem: join(dir, 'tls.key') };
  try {
    const [caPem, certPem, keyPem] = await Promise.all([
      readFile(files.caPem, 'utf8'),
      readFile(files.certPem, 'utf8'),
      readFile(files.keyPem, 'utf8'),
    ]);
    return { caPem, certPem, keyPem };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const issued = await issue(hosts, name);
  await writeFile(files.caPem, issued.caPem, { mode: 0o644 });
  await writeFile(files.certPem, issued.certPem, { mode: 0o644 });
  await writeFile(files.keyPem, issued.keyPem, { mode: 0o600 });
  return issued;
}
