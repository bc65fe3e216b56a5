import { chmod, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { DataPlane } from './data-plane.js';
import { EdgeError } from './edge-error.js';

export const KMS_PROTO = fileURLToPath(new URL('../proto/kms-v2.proto', import.meta.url));

/** The proto as @grpc/proto-loader loads it: bytes as Buffers, field names as written. */
export function loadKmsService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(KMS_PROTO, { keepCase: true, longs: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    v2: { KeyManagementService: grpc.ServiceClientConstructor };
  };
  return loaded.v2.KeyManagementService;
}

const GRPC_STATUS: Record<string, grpc.status> = {
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  NOT_FOUND: grpc.status.NOT_FOUND,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  PAYLOAD_TOO_LARGE: grpc.status.RESOURCE_EXHAUSTED,
  KEY_NOT_USABLE: grpc.status.FAILED_PRECONDITION,
  DECRYPTION_FAILED: grpc.status.INVALID_ARGUMENT,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
};

function failure(error: unknown): grpc.ServiceError {
  const code =
    error instanceof EdgeError ? (GRPC_STATUS[error.code] ?? grpc.status.INTERNAL) : grpc.status.INTERNAL;
  const message = error instanceof EdgeError ? error.message : 'internal error in the Crypto Edge';
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

/** The KMS key ID the apiserver stores: it changes with every rotation, so the apiserver notices and re-encrypts. */
export function kmsKeyId(name: string, version: number): string {
  return `${name}/v${version}`;
}

export interface KmsOptions {
  socketPath: string;
  /** The ServiceEncryptionKey that encrypts for the apiserver. */
  keyName: string;
  /** The SPIFFE ID the socket's callers act as; the key's allowedWorkloads must admit it. */
  workload: string;
  dataPlane: DataPlane;
  /** The key's current version if the edge can use it now, or why not. */
  status: () => Promise<{ version: number } | { problem: string }>;
}

/**
 * The Kubernetes KMS v2 plugin API on a unix socket (only its owner may connect, as kube-apiserver
 * does on the same host): Status, Encrypt and Decrypt with one ServiceEncryptionKey.
 */
export async function startKmsServer(options: KmsOptions): Promise<{ close(): Promise<void> }> {
  const server = new grpc.Server();
  const context = `kms-v2:${options.keyName}`;
  server.addService(loadKmsService().service, {
    Status: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      options
        .status()
        .then((status) =>
          callback(null, {
            version: 'v2',
            healthz: 'version' in status ? 'ok' : status.problem,
            key_id:
              'version' in status ? kmsKeyId(options.keyName, status.version) : kmsKeyId(options.keyName, 0),
          }),
        )
        .catch((error: unknown) => callback(failure(error)));
    },
    Encrypt: (
      call: grpc.ServerUnaryCall<{ plaintext: Buffer }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      options.dataPlane
        .encrypt(options.keyName, options.workload, call.request.plaintext, context)
        .then((result) =>
          callback(null, {
            ciphertext: Buffer.from(result.ciphertext),
            key_id: kmsKeyId(options.keyName, result.version),
            annotations: {},
          }),
        )
        .catch((error: unknown) => callback(failure(error)));
    },
    Decrypt: (
      call: grpc.ServerUnaryCall<{ ciphertext: Buffer }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      options.dataPlane
        .decrypt(options.keyName, options.workload, call.request.ciphertext.toString('utf8'), context)
        .then((result) => callback(null, { plaintext: result.plaintext }))
        .catch((error: unknown) => callback(failure(error)));
    },
  });
  // A socket left by a process that died (kill -9) would block the bind.
  await rm(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${options.socketPath}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  await chmod(options.socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}
