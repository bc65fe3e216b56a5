import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { ISSUER_PATH } from './clients.js';
import { findUser } from './demo-users.js';
import { loginPage } from './login-page.js';

const MAX_FORM_BYTES = 16 * 1024;

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) {
    body += (chunk as Buffer).toString('utf8');
    if (body.length > MAX_FORM_BYTES) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * `redirectOrigin`: browsers apply form-action to the redirects after the submission too, so the
 * application the sign-in returns to (a registered redirect URI, checked by the provider) is allowed.
 */
function sendHtml(response: ServerResponse, status: number, html: string, redirectOrigin = ''): void {
  response.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${redirectOrigin}; frame-ancestors 'none'`,
  });
  response.end(html);
}

/** Handles `/interaction/<uid>` (the form) and `/interaction/<uid>/login` (its submission). */
export async function handleInteraction(
  provider: Provider,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<void> {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
  if (!match) {
    sendHtml(response, 404, '<!doctype html><title>Not found</title><p>Not found</p>');
    return;
  }
  const [, uid = '', login] = match;
  const details = await provider.interactionDetails(request, response);
  if (details.uid !== uid)
    throw new Error('the sign-in session does not match; start again from the application');
  const action = `${ISSUER_PATH}/interaction/${uid}/login`;
  const clientName = String(details.params.client_id ?? 'OpenKCM');
  const redirectOrigin = URL.canParse(String(details.params.redirect_uri))
    ? new URL(String(details.params.redirect_uri)).origin
    : '';

  if (!login || request.method !== 'POST') {
    sendHtml(response, 200, loginPage(action, { clientName }), redirectOrigin);
    return;
  }
  const form = await readForm(request);
  const username = form.get('username')?.trim() ?? '';
  const password = form.get('password') ?? '';
  const user = findUser({ username });
  if (!user || !sameText(password, user.username)) {
    sendHtml(
      response,
      401,
      loginPage(action, { clientName, username, error: 'Wrong user name or password.' }),
      redirectOrigin,
    );
    return;
  }
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId: user.id } },
    { mergeWithLastSubmission: false },
  );
}
