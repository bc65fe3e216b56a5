/** A token request to the issuer's token endpoint with client authentication, as tests make them. */
export async function idpToken(
  issuer: string,
  clientId: string,
  secret: string,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, string> }> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    token_endpoint: string;
  };
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}
