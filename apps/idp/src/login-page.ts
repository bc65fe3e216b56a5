export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const STYLE = `<style>
  :root { color-scheme: light dark; --bg: #f5f6f7; --card: #fff; --text: #1d2d3e; --accent: #0a6ed1; --error: #bb0000; }
  @media (prefers-color-scheme: dark) { :root { --bg: #12171c; --card: #1d232a; --text: #eaecee; --accent: #4db1ff; --error: #ff8888; } }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--text); font: 16px/1.5 system-ui, sans-serif; }
  main { background: var(--card); padding: 2rem; border-radius: 12px; width: min(22rem, 90vw); box-shadow: 0 4px 24px rgb(0 0 0 / 0.12); }
  h1 { font-size: 1.3rem; margin: 0 0 0.25rem; }
  p.hint { margin: 0 0 1.25rem; opacity: 0.8; font-size: 0.9rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: 0.55rem; margin-top: 0.3rem; border: 1px solid #89919a; border-radius: 6px; font: inherit; background: transparent; color: inherit; }
  input:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  button { margin-top: 1.5rem; width: 100%; padding: 0.65rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
  .error { color: var(--error); font-weight: 600; }
  button.secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
</style>`;

/**
 * Every page the dev IdP shows: self-contained (system fonts, inline style, nothing fetched from
 * elsewhere), light and dark, one main landmark.
 */
export function idpPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · OpenKCM dev IdP</title>
${STYLE}
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

/** The sign-in form: works without JavaScript, labels tied to inputs, errors announced. */
export function loginPage(
  action: string,
  options: { username?: string; error?: string; clientName: string },
): string {
  const error = options.error
    ? `<p class="error" role="alert" id="login-error">${escapeHtml(options.error)}</p>`
    : '';
  const described = options.error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  return idpPage(
    'Sign in',
    `  <h1>Sign in to ${escapeHtml(options.clientName)}</h1>
  <p class="hint">Development identity provider. Demo users: alice, victor, mallory (password = user name).</p>
  ${error}
  <form method="post" action="${escapeHtml(action)}" autocomplete="off">
    <label for="username">User name</label>
    <input id="username" name="username" required autofocus value="${escapeHtml(options.username ?? '')}"${described}>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" required${described}>
    <button type="submit">Sign in</button>
  </form>`,
  );
}

/** The sign-out confirmation; `form` is oidc-provider's hidden form (id op.logoutForm). */
export function logoutPage(form: string): string {
  return idpPage(
    'Sign out',
    `  <h1>Sign out?</h1>
  <p class="hint">You will be signed out of the OpenKCM dev IdP and the apps that use it.</p>
  ${form}
  <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
  <button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
  );
}

export function signedOutPage(): string {
  return idpPage('Signed out', '  <h1>Signed out</h1>\n  <p class="hint">You can close this page.</p>');
}
