// A real OpenID provider for the SSO e2e tests: `oidc-provider` (ES modules only, hence this child
// process) on loopback, with two confidential clients, accounts the test defines, a login form the
// test submits, automatic consent, and a few test controls under /__test/:
//   POST /__test/accounts       {id, claims}        defines (or replaces) an account
//   POST /__test/rotate-keys                        new signing key (new kid); the old one is gone
//   POST /__test/next-token     {swapIdToken?: jwt, tamperSignature?: true}
//        the next token response's ID token is replaced (by another client's or flow's, validly
//        signed) or gets a broken signature: what a network attacker or a confused provider sends.
// Prints one JSON line `{"issuer": ...}` on stdout once it listens. Ends with its parent's stdin.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const redirectUri = process.env.OIDC_TEST_REDIRECT_URI;
if (!redirectUri) throw new Error('OIDC_TEST_REDIRECT_URI is required');

const CLIENTS = [
  { client_id: 'atrium', client_secret: 'atrium-client-secret', redirect_uris: [redirectUri] },
  { client_id: 'other-app', client_secret: 'other-app-secret', redirect_uris: ['http://127.0.0.1:9/other-app/callback'] },
];

const accounts = new Map();
let nextToken = null;
let current = null;

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function makeProvider(issuer, key) {
  const provider = new Provider(issuer, {
    clients: CLIENTS.map((client) => ({
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [key] },
    cookies: { keys: ['atrium-sso-e2e-cookie-key'] },
    // `amr` with every ID token, as many providers send it: how Atrium learns a second factor was used.
    claims: { openid: ['sub', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'offline_access', 'groups'],
    // The ID token carries the scopes' claims (as most providers do), not only the userinfo endpoint.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const claims = accounts.get(id);
      return claims ? { accountId: id, claims: async () => ({ sub: id, ...claims }) } : undefined;
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || !nextToken || !ctx.body || typeof ctx.body.id_token !== 'string') return;
    const change = nextToken;
    nextToken = null;
    if (change.swapIdToken) ctx.body = { ...ctx.body, id_token: change.swapIdToken };
    if (change.tamperSignature) {
      const [header, payload, signature] = ctx.body.id_token.split('.');
      const flipped = Buffer.from(signature, 'base64url');
      flipped[0] ^= 0xff;
      ctx.body = { ...ctx.body, id_token: [header, payload, flipped.toString('base64url')].join('.') };
    }
  });
  return provider;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The login page: a form with the account id and the authentication methods (`amr`) to report. */
async function interaction(req, res, provider, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    send(
      res,
      200,
      `<!doctype html><form method="post" action="/interaction/${uid}/login"><input name="login"><input name="amr" value="pwd"><button>Sign in</button></form>`,
      'text/html',
    );
    return;
  }
  const { params, session, prompt } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

async function login(req, res, provider) {
  const form = new URLSearchParams(await readBody(req));
  const accountId = form.get('login') ?? '';
  if (!accounts.has(accountId)) return send(res, 400, { error: 'unknown account' });
  const amr = (form.get('amr') ?? '')
    .split(',')
    .map((method) => method.trim())
    .filter(Boolean);
  await provider.interactionFinished(req, res, { login: { accountId, amr } }, { mergeWithLastSubmission: false });
}

async function control(req, res, path) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  if (path === '/__test/accounts') {
    accounts.set(body.id, body.claims);
    return send(res, 204, '');
  }
  if (path === '/__test/rotate-keys') {
    current = makeProvider(current.issuer, signingKey());
    return send(res, 204, '');
  }
  if (path === '/__test/next-token') {
    nextToken = body;
    return send(res, 204, '');
  }
  return send(res, 404, { error: 'no such control' });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const provider = current;
  const handle = async () => {
    if (url.pathname.startsWith('/__test/')) return control(req, res, url.pathname);
    const login_ = /^\/interaction\/([^/]+)\/login$/.exec(url.pathname);
    if (login_ && req.method === 'POST') return login(req, res, provider);
    const page = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (page && req.method === 'GET') return interaction(req, res, provider, page[1]);
    return provider.callback()(req, res);
  };
  handle().catch((error) => {
    if (!res.headersSent) send(res, 500, { error: String(error?.message ?? error) });
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  current = makeProvider(issuer, signingKey());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

// The parent closes our stdin when it is done (or dies): then we go too.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
