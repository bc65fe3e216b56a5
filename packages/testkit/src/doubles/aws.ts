import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test doubles of AWS STS (AssumeRoleWithWebIdentity, query protocol, XML answers) and AWS KMS
 * (JSON 1.1 protocol, `X-Amz-Target: TrentService.*`), written from the published API references.
 * KMS checks every request's Signature Version 4 and session token against the credentials STS
 * issued, so a client only gets in with web-identity credentials. Never started by the product.
 */

export const AWS_ACCOUNT = '111122223333';

export type KmsAction =
  | 'Encrypt'
  | 'Decrypt'
  | 'DescribeKey'
  | 'CreateKey'
  | 'CreateAlias'
  | 'EnableKey'
  | 'DisableKey'
  | 'ScheduleKeyDeletion';
const ALL_ACTIONS: KmsAction[] = [
  'Encrypt',
  'Decrypt',
  'DescribeKey',
  'CreateKey',
  'CreateAlias',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
];

interface KmsKey {
  id: string;
  arn: string;
  region: string;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  material: Buffer;
  createdAt: number;
  deletionDate?: number;
  description: string;
}

interface Role {
  webIdentityToken: string;
  actions: Set<KmsAction>;
}

interface Session {
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
  roleArn: string;
}

export interface AwsRequest {
  service: 'sts' | 'kms';
  action: string;
  status: number;
}

export interface AwsDoubles {
  /** http://127.0.0.1:<port> — an STS endpoint. */
  readonly stsEndpoint: string;
  /** http://127.0.0.1:<port> — a KMS endpoint serving every region (the signature names the region). */
  readonly kmsEndpoint: string;
  readonly requests: AwsRequest[];
  /** A role that trusts `webIdentityToken` (the IRSA trust policy) and may call `actions` on any key. */
  addRole(name: string, options: { webIdentityToken: string; actions?: KmsAction[] }): string;
  createKey(region: string, description?: string): string;
  disableKey(arn: string): void;
  /** How long STS credentials live (default one hour; STS's minimum is 900 s, which the double does not enforce). */
  setCredentialLifetime(seconds: number): void;
  /** Invalidates every issued session (like revoking the role's sessions in IAM). */
  revokeSessions(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** Verifies AWS Signature Version 4 as the service side does; returns the credential scope. */
function verifySignature(
  request: IncomingMessage,
  body: Buffer,
  sessions: Map<string, Session>,
  now: number,
): { session: Session; region: string } {
  const header = request.headers.authorization ?? '';
  const parsed =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!parsed)
    throw new AwsError(
      400,
      'IncompleteSignatureException',
      'Authorization header requires a valid AWS4-HMAC-SHA256 signature.',
    );
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] =
    parsed;
  const session = sessions.get(accessKeyId);
  if (!session || request.headers['x-amz-security-token'] !== session.sessionToken)
    throw new AwsError(
      400,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  if (session.expiresAt <= now)
    throw new AwsError(400, 'ExpiredTokenException', 'The security token included in the request is expired');
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const url = new URL(request.url ?? '/', 'http://aws');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const query = [...url.searchParams.entries()]
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .sort()
    .join('&');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? sha256(body));
  const canonicalRequest = [
    request.method,
    url.pathname,
    query,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${session.secretAccessKey}`, date), region), service), 'aws4_request');
  if (hmac(key, stringToSign).toString('hex') !== signature)
    throw new AwsError(
      400,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided.',
    );
  return { session, region };
}

const xml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

export async function startAwsDoubles(): Promise<AwsDoubles> {
  const keys = new Map<string, KmsKey>();
  const aliases = new Map<string, string>();
  const roles = new Map<string, Role>();
  const sessions = new Map<string, Session>();
  const requests: AwsRequest[] = [];
  let credentialSeconds = 3600;

  function sts(body: Buffer): { status: number; text: string } {
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action') ?? '';
    const error = (status: number, code: string, message: string) => ({
      status,
      text: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    });
    requests.push({ service: 'sts', action, status: 0 });
    if (action !== 'AssumeRoleWithWebIdentity' || form.get('Version') !== '2011-06-15')
      return error(
        400,
        'InvalidAction',
        `Could not find operation ${action} for version ${form.get('Version')}`,
      );
    const roleArn = form.get('RoleArn') ?? '';
    const role = roles.get(roleArn);
    const token = form.get('WebIdentityToken') ?? '';
    if (!role) return error(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    if (token !== role.webIdentityToken)
      return error(400, 'InvalidIdentityToken', 'Incorrect token audience');
    const sessionName = form.get('RoleSessionName') ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      return error(
        400,
        'ValidationError',
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint",
      );
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const session: Session = {
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      expiresAt: Date.now() + credentialSeconds * 1000,
      roleArn,
    };
    sessions.set(accessKeyId, session);
    const roleName = roleArn.split('/').pop() ?? '';
    return {
      status: 200,
      text: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:openkcm:cmk</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${AWS_ACCOUNT}:assumed-role/${xml(roleName)}/${xml(sessionName)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xml(sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${session.sessionToken}</SessionToken>
      <SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>
      <Expiration>${new Date(session.expiresAt).toISOString()}</Expiration>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::${AWS_ACCOUNT}:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/OPENKCM</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`,
    };
  }

  function resolveKey(region: string, keyId: unknown): KmsKey {
    if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 2048)
      throw new AwsError(
        400,
        'ValidationException',
        "1 validation error detected: Value at 'keyId' failed to satisfy constraint",
      );
    let id = keyId;
    if (keyId.startsWith('alias/')) id = aliases.get(`arn:aws:kms:${region}:${AWS_ACCOUNT}:${keyId}`) ?? '';
    else if (keyId.includes(':alias/')) id = aliases.get(keyId) ?? '';
    else if (keyId.startsWith('arn:')) id = keyId.split('/').pop() ?? '';
    const key = keys.get(id);
    if (
      !key ||
      key.region !== region ||
      (keyId.startsWith('arn:') && !keyId.includes(':alias/') && key.arn !== keyId)
    )
      throw new AwsError(400, 'NotFoundException', `Key '${keyId}' does not exist`);
    return key;
  }

  function metadata(key: KmsKey) {
    return {
      AWSAccountId: AWS_ACCOUNT,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: key.createdAt / 1000,
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: key.state,
      ...(key.deletionDate ? { DeletionDate: key.deletionDate / 1000 } : {}),
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    };
  }

  /** Encryption context is authenticated data: canonical (sorted) so that order does not matter. */
  const contextBytes = (context: unknown) => {
    if (context === undefined) return Buffer.alloc(0);
    if (
      typeof context !== 'object' ||
      context === null ||
      Object.values(context).some((value) => typeof value !== 'string')
    )
      throw new AwsError(400, 'ValidationException', 'EncryptionContext must map strings to strings');
    return Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));
  };

  const usable = (key: KmsKey) => {
    if (key.state === 'Disabled') throw new AwsError(400, 'DisabledException', `${key.arn} is disabled.`);
    if (key.state === 'PendingDeletion')
      throw new AwsError(400, 'KMSInvalidStateException', `${key.arn} is pending deletion.`);
  };
  const blob = (value: unknown) => {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
      throw new AwsError(400, 'SerializationException', 'Start of structure or map found where not expected');
    return Buffer.from(value, 'base64');
  };

  function kms(
    action: string,
    region: string,
    session: Session,
    input: Record<string, unknown>,
  ): Record<string, unknown> {
    const role = roles.get(session.roleArn);
    if (!ALL_ACTIONS.includes(action as KmsAction))
      throw new AwsError(400, 'UnknownOperationException', `Unknown operation ${action}`);
    const key =
      action === 'CreateKey'
        ? undefined
        : action === 'CreateAlias'
          ? resolveKey(region, input.TargetKeyId)
          : resolveKey(region, input.KeyId);
    if (!role?.actions.has(action as KmsAction))
      throw new AwsError(
        400,
        'AccessDeniedException',
        `User: arn:aws:sts::${AWS_ACCOUNT}:assumed-role/${session.roleArn.split('/').pop()}/openkcm is not authorized to perform: kms:${action} on resource: ${key?.arn ?? '*'} because no identity-based policy allows the kms:${action} action`,
      );
    switch (action) {
      case 'DescribeKey':
        return { KeyMetadata: metadata(key as KmsKey) };
      case 'Encrypt': {
        const target = key as KmsKey;
        usable(target);
        const plaintext = blob(input.Plaintext);
        if (plaintext.length < 1 || plaintext.length > 4096)
          throw new AwsError(400, 'ValidationException', 'Plaintext must be 1 to 4096 bytes');
        const nonce = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', target.material, nonce);
        cipher.setAAD(contextBytes(input.EncryptionContext));
        const sealed = Buffer.concat([
          Buffer.from(`OKD1${target.id}`),
          nonce,
          cipher.update(plaintext),
          cipher.final(),
          cipher.getAuthTag(),
        ]);
        return {
          CiphertextBlob: sealed.toString('base64'),
          KeyId: target.arn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      }
      case 'Decrypt': {
        const sealed = blob(input.CiphertextBlob);
        const invalid = () => new AwsError(400, 'InvalidCiphertextException', '');
        if (sealed.length < 4 + 36 + 12 + 16 || sealed.subarray(0, 4).toString() !== 'OKD1') throw invalid();
        const owner = keys.get(sealed.subarray(4, 40).toString());
        if (!owner) throw invalid();
        if (input.KeyId !== undefined && owner !== key)
          throw new AwsError(
            400,
            'IncorrectKeyException',
            'The key ID in the request does not identify a CMK that can perform this operation.',
          );
        usable(owner);
        const decipher = createDecipheriv('aes-256-gcm', owner.material, sealed.subarray(40, 52));
        decipher.setAAD(contextBytes(input.EncryptionContext));
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        try {
          const plaintext = Buffer.concat([
            decipher.update(sealed.subarray(52, sealed.length - 16)),
            decipher.final(),
          ]);
          return {
            Plaintext: plaintext.toString('base64'),
            KeyId: owner.arn,
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          };
        } catch {
          throw invalid();
        }
      }
      case 'CreateKey': {
        const arn = createKey(region, typeof input.Description === 'string' ? input.Description : '');
        return { KeyMetadata: metadata(keys.get(arn.split('/').pop() ?? '') as KmsKey) };
      }
      case 'CreateAlias': {
        const name = String(input.AliasName ?? '');
        if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(name) || name.startsWith('alias/aws/'))
          throw new AwsError(
            400,
            'ValidationException',
            'AliasName must begin with alias/ and may not begin with alias/aws/',
          );
        const aliasArn = `arn:aws:kms:${region}:${AWS_ACCOUNT}:${name}`;
        if (aliases.has(aliasArn))
          throw new AwsError(
            400,
            'AlreadyExistsException',
            `An alias with the name ${aliasArn} already exists`,
          );
        aliases.set(aliasArn, (key as KmsKey).id);
        return {};
      }
      case 'EnableKey':
      case 'DisableKey': {
        const target = key as KmsKey;
        if (target.state === 'PendingDeletion') usable(target);
        target.state = action === 'EnableKey' ? 'Enabled' : 'Disabled';
        return {};
      }
      case 'ScheduleKeyDeletion': {
        const target = key as KmsKey;
        const days = input.PendingWindowInDays === undefined ? 30 : Number(input.PendingWindowInDays);
        if (!Number.isInteger(days) || days < 7 || days > 30)
          throw new AwsError(400, 'ValidationException', 'PendingWindowInDays must be between 7 and 30');
        target.state = 'PendingDeletion';
        target.deletionDate = Date.now() + days * 86_400_000;
        return {
          KeyId: target.arn,
          DeletionDate: target.deletionDate / 1000,
          KeyState: 'PendingDeletion',
          PendingWindowInDays: days,
        };
      }
    }
    throw new AwsError(400, 'UnknownOperationException', `Unknown operation ${action}`);
  }

  function createKey(region: string, description = ''): string {
    const id = randomUUID();
    const arn = `arn:aws:kms:${region}:${AWS_ACCOUNT}:key/${id}`;
    keys.set(id, {
      id,
      arn,
      region,
      state: 'Enabled',
      material: randomBytes(32),
      createdAt: Date.now(),
      description,
    });
    return arn;
  }

  async function serveKms(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.replace(/^TrentService\./, '');
    let status = 200;
    let payload: Record<string, unknown>;
    try {
      if (request.method !== 'POST' || !target.startsWith('TrentService.'))
        throw new AwsError(400, 'UnknownOperationException', 'Missing X-Amz-Target');
      if (!String(request.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1'))
        throw new AwsError(400, 'SerializationException', 'Content-Type must be application/x-amz-json-1.1');
      const { session, region } = verifySignature(request, body, sessions, Date.now());
      let input: unknown;
      try {
        input = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        throw new AwsError(400, 'SerializationException', 'Malformed JSON');
      }
      payload = kms(action, region, session, (input ?? {}) as Record<string, unknown>);
    } catch (error) {
      const known =
        error instanceof AwsError ? error : new AwsError(500, 'KMSInternalException', 'internal error');
      status = known.status;
      payload = { __type: known.code, message: known.message };
      response.setHeader('x-amzn-errortype', `${known.code}:`);
    }
    requests.push({ service: 'kms', action, status });
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
    });
    response.end(JSON.stringify(payload));
  }

  const listeners: Array<{
    server: Server | undefined;
    port: number;
    handle: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;
  }> = [
    {
      server: undefined,
      port: 0,
      handle: (_request, body, response) => {
        const answer = sts(body);
        const last = requests.at(-1);
        if (last) last.status = answer.status;
        response.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
        response.end(answer.text);
      },
    },
    {
      server: undefined,
      port: 0,
      handle: (request, body, response) => void serveKms(request, body, response),
    },
  ];

  async function start(): Promise<void> {
    for (const listener of listeners) {
      const server = createServer(async (request, response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        listener.handle(request, Buffer.concat(chunks), response);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listener.port, '127.0.0.1', () => resolve());
      });
      listener.port = (server.address() as AddressInfo).port;
      listener.server = server;
    }
  }
  async function stop(): Promise<void> {
    await Promise.all(
      listeners.map(async (listener) => {
        const server = listener.server;
        listener.server = undefined;
        if (!server) return;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }
  await start();

  return {
    stsEndpoint: `http://127.0.0.1:${listeners[0]?.port}`,
    kmsEndpoint: `http://127.0.0.1:${listeners[1]?.port}`,
    requests,
    addRole(name, options) {
      const arn = `arn:aws:iam::${AWS_ACCOUNT}:role/${name}`;
      roles.set(arn, {
        webIdentityToken: options.webIdentityToken,
        actions: new Set(options.actions ?? ALL_ACTIONS),
      });
      return arn;
    },
    createKey,
    disableKey(arn) {
      const key = keys.get(arn.split('/').pop() ?? '');
      if (key) key.state = 'Disabled';
    },
    setCredentialLifetime(seconds) {
      credentialSeconds = seconds;
    },
    revokeSessions() {
      sessions.clear();
    },
    stop,
    start,
    close: stop,
  };
}
