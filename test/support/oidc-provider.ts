import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The two clients the test provider knows (see oidc-provider-server.mjs). */
export const ATRIUM_CLIENT = { id: 'atrium', secret: 'atrium-client-secret' } as const;
export const OTHER_CLIENT = { id: 'other-app', secret: 'other-app-secret', redirectUri: 'http://127.0.0.1:9/other-app/callback' } as const;

export interface AccountClaims {
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly groups?: readonly string[];
}

/** The next token response's ID token: replaced by another, or with a broken signature. */
export interface TokenTampering {
  readonly swapIdToken?: string;
  readonly tamperSignature?: boolean;
}

/** A browser's cookies, by name (the provider's cookies have distinct names; paths do not matter here). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || pair.slice(at + 1) === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * A real OpenID provider (`oidc-provider`) in a child process on loopback, and a plain-HTTP
 * "browser" that goes through its login form. `redirectUri` is Atrium's callback, registered for
 * the `atrium` client.
 */
export class OidcTestProvider {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
    private readonly redirectUri: string,
  ) {}

  static async start(redirectUri: string): Promise<OidcTestProvider> {
    const child = spawn(process.execPath, [join(__dirname, 'oidc-provider-server.mjs')], {
      env: { ...process.env, NODE_ENV: 'development', OIDC_TEST_REDIRECT_URI: redirectUri },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const issuer = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the OIDC provider exited (${code}) before listening`)));
      lines.once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
    });
    return new OidcTestProvider(child, issuer, redirectUri);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    await exited;
  }

  async addAccount(id: string, claims: AccountClaims): Promise<void> {
    await this.control('/__test/accounts', { id, claims });
  }

  /** A new signing key under a new `kid`; the old key is no longer published. */
  async rotateKeys(): Promise<void> {
    await this.control('/__test/rotate-keys', {});
  }

  async tamperNextToken(change: TokenTampering): Promise<void> {
    await this.control('/__test/next-token', change);
  }

  /**
   * What a browser does from the authorization URL: follows redirects, submits the login form as
   * `accountId` (reporting `amr`), consents, and stops at the redirect back to Atrium, whose URL it returns.
   */
  async signIn(authorizationUrl: string, accountId: string, options: { amr?: readonly string[]; redirectUri?: string } = {}): Promise<URL> {
    const back = options.redirectUri ?? this.redirectUri;
    const jar = new CookieJar();
    let request: { url: string; method: 'GET' | 'POST'; body?: string } = { url: authorizationUrl, method: 'GET' };
    for (let step = 0; step < 20; step++) {
      if (request.url.startsWith(back)) return new URL(request.url);
      const response = await fetch(request.url, {
        method: request.method,
        redirect: 'manual',
        headers: {
          cookie: jar.header(),
          ...(request.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: request.body,
      });
      jar.take(response);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        request = { url: new URL(location, request.url).href, method: 'GET' };
        continue;
      }
      const page = await response.text();
      const form = /<form method="post" action="([^"]+)">/.exec(page);
      if (response.status !== 200 || !form) throw new Error(`the provider answered ${response.status}: ${page.slice(0, 300)}`);
      const body = new URLSearchParams({ login: accountId, amr: (options.amr ?? ['pwd']).join(',') }).toString();
      request = { url: new URL(form[1], request.url).href, method: 'POST', body };
    }
    throw new Error('the sign-in did not come back to the redirect URI');
  }

  /** A whole code flow of the other client (the test acting as that app): its ID token, validly signed, for another audience. */
  async idTokenOfOtherClient(accountId: string): Promise<string> {
    return this.codeFlowIdToken(OTHER_CLIENT.id, OTHER_CLIENT.secret, OTHER_CLIENT.redirectUri, accountId);
  }

  /** A whole code flow of Atrium's own client run by the test: an ID token for Atrium's audience but another flow's nonce. */
  async idTokenOfAnotherAtriumFlow(accountId: string): Promise<string> {
    return this.codeFlowIdToken(ATRIUM_CLIENT.id, ATRIUM_CLIENT.secret, this.redirectUri, accountId);
  }

  private async codeFlowIdToken(clientId: string, secret: string, redirectUri: string, accountId: string): Promise<string> {
    const verifier = randomBytes(32).toString('base64url');
    const authorization = new URL('/auth', this.issuer);
    authorization.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid email profile groups',
      state: randomBytes(16).toString('base64url'),
      nonce: randomBytes(16).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const back = await this.signIn(authorization.href, accountId, { redirectUri });
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`no code in ${back.href}`);
    const response = await fetch(new URL('/token', this.issuer), {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
    });
    const tokens = (await response.json()) as { id_token?: string };
    if (!tokens.id_token) throw new Error(`no ID token: ${JSON.stringify(tokens)}`);
    return tokens.id_token;
  }

  private async control(path: string, body: object): Promise<void> {
    const response = await fetch(new URL(path, this.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 204) throw new Error(`provider control ${path} answered ${response.status}`);
  }
}
