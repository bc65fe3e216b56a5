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

interface Authority {
  caPem: string;
  keys: CryptoKeyPair;
  certificate: x509.X509Certificate;
}

async function createAuthority(name: string): Promise<Authority> {
  const now = Date.now();
  const keys = await generate();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name} local CA,O=OpenKCM development`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { caPem: certificate.toString('pem'), keys, certificate };
}

type SubjectName = { type: 'dns' | 'ip' | 'url'; value: string };

async function issueLeaf(
  authority: Authority,
  request: { commonName: string; names: SubjectName[]; usage: 'server' | 'client'; validityMs: number },
): Promise<{ certPem: string; keyPem: string; notAfter: Date }> {
  const now = Date.now();
  const keys = await generate();
  const notAfter = new Date(now + request.validityMs);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${request.commonName}`,
    issuer: authority.certificate.subject,
    notBefore: new Date(now - 60_000),
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: authority.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(request.names),
      await x509.AuthorityKeyIdentifierExtension.create(authority.keys.publicKey),
    ],
  });
  return { certPem: leaf.toString('pem'), keyPem: await exportKey(keys.privateKey), notAfter };
}

function hostName(host: string): SubjectName {
  return /^[\d.]+$|:/.test(host) ? { type: 'ip', value: host } : { type: 'dns', value: host };
}

async function importPrivateKey(pemText: string): Promise<CryptoKey> {
  const der = Buffer.from(pemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return (await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign'])) as unknown as CryptoKey;
}

/** A CA kept in `dir` (ca.crt 0644, ca.key 0600), created on first use; it issues client certificates. */
export class LocalCertificateAuthority {
  private constructor(private readonly authority: Authority) {}

  static async open(dir: string, name: string): Promise<LocalCertificateAuthority> {
    const certFile = join(dir, 'ca.crt');
    const keyFile = join(dir, 'ca.key');
    try {
      const [caPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
      const certificate = new x509.X509Certificate(caPem);
      const privateKey = await importPrivateKey(keyPem);
      const publicKey = (await certificate.publicKey.export(ALGORITHM, ['verify'])) as unknown as CryptoKey;
      return new LocalCertificateAuthority({ caPem, certificate, keys: { privateKey, publicKey } });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const authority = await createAuthority(name);
    await writeFile(certFile, authority.caPem, { mode: 0o644 });
    await writeFile(keyFile, await exportKey(authority.keys.privateKey), { mode: 0o600 });
    return new LocalCertificateAuthority(authority);
  }

  get caPem(): string {
    return this.authority.caPem;
  }

  issueClient(request: { commonName: string; uris: string[]; validityHours: number }) {
    return issueLeaf(this.authority, {
      commonName: request.commonName,
      names: request.uris.map((value) => ({ type: 'url' as const, value })),
      usage: 'client',
      validityMs: request.validityHours * 3_600_000,
    });
  }
}

async function issue(hosts: string[], name: string): Promise<ServingCertificate> {
  const authority = await createAuthority(name);
  const leaf = await issueLeaf(authority, {
    commonName: name,
    names: hosts.map(hostName),
    usage: 'server',
    validityMs: 825 * DAY,
  });
  return { caPem: authority.caPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
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
