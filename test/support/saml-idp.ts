import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A change the test IdP makes to its next response (see saml-idp-server.mjs). */
export interface ResponseChange {
  readonly tamper?: boolean;
  readonly unsigned?: boolean;
  readonly otherKey?: boolean;
  readonly audience?: string;
  readonly notOnOrAfter?: string;
  readonly inResponseTo?: string;
  readonly recipient?: string;
}

/** What the browser submits to the service provider's ACS: the IdP's auto-posting form. */
export interface PostedForm {
  readonly action: string;
  readonly SAMLResponse: string;
  readonly RelayState: string;
}

const unescape = (value: string) => value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Real SAML 2.0 identity providers (samlify as IdP) in a child process on loopback, and the part of a
 * browser the flow needs: follow the redirect to the IdP, submit its login form, read its
 * auto-submitting form to the ACS.
 */
export class SamlTestIdp {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<SamlTestIdp> {
    const child = spawn(process.execPath, [join(__dirname, 'saml-idp-server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the SAML IdP exited (${code}) before listening`)));
      lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    });
    return new SamlTestIdp(child, url);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    await exited;
  }

  /** A new IdP hosted here: its entity id and metadata XML (what an admin pastes into Atrium). */
  async addIdp(name: string): Promise<{ entityId: string; metadata: string }> {
    const response = await this.control('/__test/idps', { name });
    return (await response.json()) as { entityId: string; metadata: string };
  }

  async registerServiceProvider(metadata: string): Promise<void> {
    await this.control('/__test/sps', { metadata });
  }

  async addAccount(id: string, email: string, attributes: Record<string, string | string[]> = {}): Promise<void> {
    await this.control('/__test/accounts', { id, email, attributes });
  }

  async changeNextResponse(idp: string, change: ResponseChange): Promise<void> {
    await this.control('/__test/next-response', { idp, change });
  }

  /** From the IdP URL Atrium's start redirected to: the login form, signed in as `login`, to the form posted back. */
  async signIn(ssoUrl: string, login: string): Promise<PostedForm> {
    const page = await fetch(ssoUrl);
    const loginForm = await page.text();
    const hidden = (html: string, name: string) => unescape(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '');
    const action = /<form method="post" action="([^"]+)">/.exec(loginForm)?.[1];
    if (page.status !== 200 || !action) throw new Error(`the IdP answered ${page.status}: ${loginForm.slice(0, 300)}`);
    const answer = await fetch(new URL(unescape(action), ssoUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLRequest: hidden(loginForm, 'SAMLRequest'), RelayState: hidden(loginForm, 'RelayState'), login }).toString(),
    });
    const posting = await answer.text();
    const to = /<form method="post" action="([^"]+)">/.exec(posting)?.[1];
    if (answer.status !== 200 || !to) throw new Error(`the IdP answered ${answer.status}: ${posting.slice(0, 300)}`);
    return { action: unescape(to), SAMLResponse: hidden(posting, 'SAMLResponse'), RelayState: hidden(posting, 'RelayState') };
  }

  private async control(path: string, body: object): Promise<Response> {
    const response = await fetch(new URL(path, this.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`IdP control ${path} answered ${response.status}: ${await response.text()}`);
    return response;
  }
}
