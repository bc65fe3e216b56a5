import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A page that plays Luigi Core for one iframe, speaking Luigi Client's postMessage protocol:
 * it answers `luigi.get-context` with `luigi.init` (context, internal theme, auth data), and the
 * test can push `luigi.navigate` (new context) and `luigi.auth.tokenIssued` (new token).
 */
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Luigi-style host</title>
<style>body{margin:0;font-family:sans-serif}header{padding:8px 16px;background:#354a5f;color:#fff}iframe{border:0;width:100%;height:calc(100vh - 40px)}</style></head>
<body><header>Platform Mesh Console (Luigi-style host for tests)</header><iframe id="frame" title="Key Chain"></iframe>
<script>
  const params = new URLSearchParams(location.search);
  const frame = document.getElementById('frame');
  window.luigiState = { context: JSON.parse(params.get('context')), internal: { currentTheme: params.get('theme'), currentLocale: 'en-US', thirdPartyCookieCheck: { disabled: true } }, token: params.get('token') };
  const payload = (msg) => ({ msg, context: JSON.stringify(window.luigiState.context), internal: JSON.stringify(window.luigiState.internal), nodeParams: '{}', pathParams: '{}', searchParams: '{}', authData: { accessToken: window.luigiState.token } });
  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow) return;
    if (event.data && event.data.msg === 'luigi.get-context') frame.contentWindow.postMessage(payload('luigi.init'), '*');
  });
  window.luigiNavigate = (changes) => { Object.assign(window.luigiState.internal, changes.internal || {}); Object.assign(window.luigiState.context, changes.context || {}); frame.contentWindow.postMessage({ ...payload('luigi.navigate'), viewUrl: frame.src }, '*'); };
  window.luigiIssueToken = (token) => { window.luigiState.token = token; frame.contentWindow.postMessage({ msg: 'luigi.auth.tokenIssued', authData: { accessToken: token } }, '*'); };
  frame.src = params.get('frame');
</script></body></html>`;

export async function startLuigiHost(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
