// Prints a JWT-SVID of the local SPIFFE issuer (development only), for curl against the Crypto Edge:
//   npm run --silent workload-token -- spiffe://openkcm.local/ns/default/sa/orders
//   npm run --silent workload-token -- <spiffe id> --audience <aud> --ttl 600
//   npm run --silent workload-token -- <spiffe id> --x509 <folder>   (an X.509-SVID as files instead)
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { edgeAudience } from '@openkcm/spiffe';
import { LocalSpiffeIssuer } from '@openkcm/spiffe/local-issuer';
import { EDGE_WORKSPACE } from './demo-users.js';
import { REPO_ROOT } from './repo-root.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    audience: { type: 'string', default: edgeAudience(EDGE_WORKSPACE, 'edge') },
    ttl: { type: 'string', default: '300' },
    x509: { type: 'string' },
  },
});
const [spiffeId, ...extra] = positionals;
if (!spiffeId || extra.length > 0) {
  process.stderr.write(
    'usage: npm run --silent workload-token -- spiffe://openkcm.local/<path> [--audience <aud>] [--ttl <seconds>] [--x509 <folder>]\n',
  );
  process.exit(2);
}
const dataDir = resolve(process.env.OPENKCM_DATA_DIR ?? join(REPO_ROOT, '.openkcm'));
try {
  const issuer = await LocalSpiffeIssuer.open(join(dataDir, 'spiffe'));
  if (values.x509) {
    const dir = resolve(values.x509);
    const svid = await issuer.x509Svid(spiffeId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'svid.crt'), svid.certPem, { mode: 0o644 });
    await writeFile(join(dir, 'svid.key'), svid.keyPem, { mode: 0o600 });
    await writeFile(join(dir, 'bundle.crt'), svid.bundlePem, { mode: 0o644 });
    process.stdout.write(`${join(dir, 'svid.crt')}\n${join(dir, 'svid.key')}\n`);
  } else {
    const ttl = Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl < 10 || ttl > 86_400)
      throw new Error('--ttl is seconds, from 10 to 86400');
    process.stdout.write(`${await issuer.jwtSvid(spiffeId, values.audience, ttl)}\n`);
  }
} catch (error) {
  process.stderr.write(`workload-token: ${(error as Error).message}\n`);
  process.exit(1);
}
