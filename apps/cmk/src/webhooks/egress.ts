import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * An operator's exception to the egress rules: a host name, an IP address or a CIDR range, with an
 * optional port (`hooks.internal`, `10.1.2.3:8443`, `10.0.0.0/8`). A matching destination may use
 * an internal address and plain http.
 */
export interface EgressRule {
  host?: string;
  range?: [ipaddr.IPv4 | ipaddr.IPv6, number];
  port?: number;
}

export class EgressRuleError extends Error {}

export function parseEgressRules(entries: string[]): EgressRule[] {
  return entries
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      if (entry.includes('/')) {
        if (!ipaddr.isValidCIDR(entry))
          throw new EgressRuleError(`"${entry}" is not a CIDR range such as 10.0.0.0/8`);
        return { range: ipaddr.parseCIDR(entry) };
      }
      let url: URL;
      try {
        url = new URL(`http://${entry}`);
      } catch {
        throw new EgressRuleError(`"${entry}" is not a host, host:port, IP address or CIDR range`);
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const port = url.port ? Number(url.port) : undefined;
      if (url.pathname !== '/' || url.search || url.username)
        throw new EgressRuleError(`"${entry}" is not a host, host:port, IP address or CIDR range`);
      return isIP(host)
        ? { range: [ipaddr.parse(host), host.includes(':') ? 128 : 32], ...(port ? { port } : {}) }
        : { host: host.toLowerCase(), ...(port ? { port } : {}) };
    });
}

/** Why a destination may not be used; the message says what to do. Not worth retrying as it is. */
export class EgressRefusedError extends Error {}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function hostRuleMatches(rules: EgressRule[], hostname: string, port: number): boolean {
  return rules.some(
    (rule) => rule.host === hostname.toLowerCase() && (rule.port === undefined || rule.port === port),
  );
}

function addressRuleMatches(rules: EgressRule[], address: ipaddr.IPv4 | ipaddr.IPv6, port: number): boolean {
  return rules.some(
    (rule) =>
      rule.range !== undefined &&
      rule.range[0].kind() === address.kind() &&
      address.match(rule.range) &&
      (rule.port === undefined || rule.port === port),
  );
}

/** What kind of address it is, when it is not a public unicast one (loopback, private, linkLocal …). */
export function internalRange(address: string): string | undefined {
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

/** Checks a destination URL before anything connects: scheme, credentials, and a literal address. */
export function checkDestination(raw: string, rules: EgressRule[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EgressRefusedError(`"${raw.slice(0, 200)}" is not a URL; use https://host/path`);
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(url);
  if (url.username || url.password)
    throw new EgressRefusedError(
      'the URL carries a user name or password; put credentials in the signing Secret, not the URL',
    );
  const literal = isIP(hostname) ? ipaddr.process(hostname) : undefined;
  const allowed =
    hostRuleMatches(rules, hostname, port) ||
    (literal !== undefined && addressRuleMatches(rules, literal, port));
  if (literal && !allowed) {
    const range = internalRange(hostname);
    if (range)
      throw new EgressRefusedError(
        `${literal.toString()} is a ${range} address: webhooks may not reach internal addresses (an operator can allow it)`,
      );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed))
    throw new EgressRefusedError(
      `${url.protocol.replace(':', '')} is not allowed: webhooks use https (an operator can allow http for named hosts)`,
    );
  return url;
}

/**
 * DNS resolution that refuses internal addresses: the address checked is the address connected to,
 * so a name that resolves differently a moment later (DNS rebinding) gains nothing.
 */
function guardedLookup(rules: EgressRule[], url: URL): LookupFunction {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(url);
  const trusted = hostRuleMatches(rules, hostname, port);
  return (name, options, callback) => {
    dnsLookup(name, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const usable = addresses.filter(
        ({ address }) =>
          trusted || !internalRange(address) || addressRuleMatches(rules, ipaddr.process(address), port),
      );
      const refused = addresses.find((candidate) => !usable.includes(candidate));
      if (usable.length === 0) {
        const range = refused ? internalRange(refused.address) : undefined;
        return callback(
          new EgressRefusedError(
            `${name} resolves to ${refused?.address ?? 'nothing'}${range ? `, a ${range} address` : ''}: webhooks may not reach internal addresses (an operator can allow it)`,
          ),
          '',
          4,
        );
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      const [first] = usable as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Whether the URL's host resolves to an address a delivery may use, to refuse a declaration at
 * once; each delivery checks again on the address it connects to. A name that does not resolve
 * (yet) is not refused here.
 */
export async function checkResolution(url: URL, rules: EgressRule[]): Promise<void> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname)) return;
  await new Promise<void>((resolve, reject) =>
    guardedLookup(rules, url)(hostname, { all: true }, (error) => {
      if (error instanceof EgressRefusedError) reject(error);
      else resolve();
    }),
  );
}

export interface EgressResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The start of the body, for an error message. */
  text: string;
}

const MAX_REDIRECTS = 3;
const MAX_BODY = 16 * 1024;

/**
 * POSTs to a tenant-supplied URL under the egress rules, following 307/308 redirects (each hop
 * checked the same way) and never any other kind: a POST turned into a GET means nothing to a webhook.
 */
export async function postOutbound(
  raw: string,
  body: string,
  headers: Record<string, string>,
  options: { rules: EgressRule[]; timeoutMs: number },
): Promise<EgressResponse> {
  let target = raw;
  for (let hop = 0; ; hop++) {
    const url = checkDestination(target, options.rules);
    const response = await postOnce(url, body, headers, options);
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || response.status === 304) return response;
    if ((response.status !== 307 && response.status !== 308) || !location)
      throw new EgressRefusedError(
        `the receiver redirected with ${response.status}; webhooks follow only 307 and 308 redirects: point the URL at the final address`,
      );
    if (hop + 1 >= MAX_REDIRECTS) throw new EgressRefusedError(`more than ${MAX_REDIRECTS} redirects`);
    target = new URL(location, url).toString();
  }
}

function postOnce(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { rules: EgressRule[]; timeoutMs: number },
): Promise<EgressResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
        lookup: guardedLookup(options.rules, url),
        // A fresh connection per delivery: a pooled socket would skip the address check of this hop.
        agent: false,
        timeout: options.timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < MAX_BODY) text += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
        response.on('error', reject);
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${Math.round(options.timeoutMs / 1000)} s`)),
      options.timeoutMs,
    );
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () =>
      request.destroy(new Error(`no answer within ${Math.round(options.timeoutMs / 1000)} s`)),
    );
    request.on('error', reject);
    request.end(body);
  });
}
