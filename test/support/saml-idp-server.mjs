// A real SAML 2.0 identity provider for the SAML e2e tests: samlify acting as IdP, in a child process
// on loopback (like oidc-provider-server.mjs). Each IdP it hosts has its own entity id and signing
// key (made with the openssl CLI). Test controls under /__test/:
//   POST /__test/idps       {name}                       → {entityId, metadata} (creates an IdP)
//   POST /__test/sps        {metadata}                    registers a service provider (by its entity id)
//   POST /__test/accounts   {id, email, attributes}       defines an account
//   POST /__test/next-response {idp, change}              the next response of that IdP is changed once:
//        {tamper: true}        an attribute and the NameID changed after signing
//        {unsigned: true}      every signature removed
//        {otherKey: true}      signed with a key the metadata does not have
//        {audience, notOnOrAfter, inResponseTo, recipient}   values the IdP asserts instead of the right ones
// The browser: GET <sso url>?SAMLRequest&RelayState → a login form; POST it with `login` → an
// auto-submitting form to the SP's ACS with SAMLResponse and RelayState.
// Prints one JSON line `{"url": ...}` once it listens. Ends with its parent's stdin.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import validator from '@authenio/samlify-xmllint-wasm';
import samlify from 'samlify';

samlify.setSchemaValidator(validator);
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

function keyPair(name) {
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
    return { privateKey: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const idps = new Map();
const sps = new Map();
const accounts = new Map();
const changes = new Map();
let base = '';

function makeIdp(entityId, ssoUrl, keys) {
  return samlify.IdentityProvider({
    entityID: entityId,
    privateKey: keys.privateKey,
    signingCert: keys.cert,
    wantAuthnRequestsSigned: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
    singleLogoutService: [{ Binding: REDIRECT, Location: `${ssoUrl}/logout` }],
  });
}

const escape = (value) => String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function attributeStatement(attributes) {
  const items = Object.entries(attributes).map(([name, values]) =>
    `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
    [].concat(values).map((value) => `<saml:AttributeValue xsi:type="xs:string">${escape(value)}</saml:AttributeValue>`).join('') +
    '</saml:Attribute>');
  return items.length ? `<saml:AttributeStatement>${items.join('')}</saml:AttributeStatement>` : '';
}

async function respond(name, samlRequest, relayState, login) {
  const idp = idps.get(name);
  const request = await idp.entity.parseLoginRequest(samlify.ServiceProvider({ entityID: 'unknown' }), 'redirect', {
    query: { SAMLRequest: samlRequest }, octetString: '',
  }).catch((error) => { throw new Error(`bad AuthnRequest: ${error.message}`); });
  const sp = sps.get(request.extract.issuer);
  if (!sp) throw new Error(`unknown SP ${request.extract.issuer}`);
  const account = accounts.get(login);
  if (!account) throw new Error(`unknown account ${login}`);
  const change = changes.get(name) ?? {};
  changes.delete(name);
  const acs = sp.entityMeta.getAssertionConsumerService('post');
  const now = new Date();
  const later = new Date(now.getTime() + 5 * 60_000).toISOString();
  const signer = change.otherKey ? idp.otherEntity : idp.entity;
  const { context } = await signer.createLoginResponse(sp, request, 'post', { email: account.email }, {
    relayState,
    customTagReplacement: (template) => {
      const id = `_${randomUUID()}`;
      const values = {
        ID: id,
        AssertionID: `_${randomUUID()}`,
        Destination: change.recipient ?? acs,
        Audience: change.audience ?? sp.entityMeta.getEntityID(),
        SubjectRecipient: change.recipient ?? acs,
        Issuer: idp.entityId,
        IssueInstant: now.toISOString(),
        StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
        ConditionsNotBefore: new Date(now.getTime() - 10 * 60_000).toISOString(),
        ConditionsNotOnOrAfter: change.notOnOrAfter ?? later,
        SubjectConfirmationDataNotOnOrAfter: change.notOnOrAfter ?? later,
        NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        NameID: account.email,
        InResponseTo: change.inResponseTo ?? request.extract.request.id,
      };
      const authn = `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_${randomUUID()}"><saml:AuthnContext>` +
        '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>' +
        '</saml:AuthnContext></saml:AuthnStatement>';
      const xml = samlify.SamlLib.replaceTagsByValue(template, values)
        .replace('{AuthnStatement}', authn)
        .replace('{AttributeStatement}', attributeStatement({ email: account.email, ...account.attributes }));
      return { id, context: xml };
    },
  });
  let xml = Buffer.from(context, 'base64').toString('utf8');
  if (change.tamper) xml = xml.split(account.email).join(account.email.replace(/^[^@]+/, 'mallory'));
  if (change.unsigned) xml = xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
  const response = Buffer.from(xml, 'utf8').toString('base64');
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escape(acs)}">` +
    `<input type="hidden" name="SAMLResponse" value="${escape(response)}"/>` +
    `<input type="hidden" name="RelayState" value="${escape(relayState ?? '')}"/></form></body></html>`;
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

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, base);
    if (req.method === 'POST' && url.pathname.startsWith('/__test/')) {
      const body = JSON.parse((await readBody(req)) || '{}');
      if (url.pathname === '/__test/idps') {
        const entityId = `${base}/idp/${body.name}`;
        const ssoUrl = `${base}/idp/${body.name}/sso`;
        const entity = makeIdp(entityId, ssoUrl, keyPair(body.name));
        const otherEntity = makeIdp(entityId, ssoUrl, keyPair(`${body.name}-impostor`));
        idps.set(body.name, { entityId, entity, otherEntity });
        return send(res, 200, { entityId, metadata: entity.getMetadata() });
      }
      if (url.pathname === '/__test/sps') {
        const sp = samlify.ServiceProvider({ metadata: body.metadata });
        sps.set(sp.entityMeta.getEntityID(), sp);
        return send(res, 204, '');
      }
      if (url.pathname === '/__test/accounts') {
        accounts.set(body.id, { email: body.email, attributes: body.attributes ?? {} });
        return send(res, 204, '');
      }
      if (url.pathname === '/__test/next-response') {
        changes.set(body.idp, body.change);
        return send(res, 204, '');
      }
      return send(res, 404, { error: 'unknown control' });
    }
    const sso = /^\/idp\/([\w-]+)\/sso$/.exec(url.pathname);
    if (sso && idps.has(sso[1])) {
      if (req.method === 'GET') {
        const samlRequest = url.searchParams.get('SAMLRequest') ?? '';
        const relayState = url.searchParams.get('RelayState') ?? '';
        return send(res, 200, `<!doctype html><form method="post" action="${escape(url.pathname)}">` +
          `<input type="hidden" name="SAMLRequest" value="${escape(samlRequest)}"/>` +
          `<input type="hidden" name="RelayState" value="${escape(relayState)}"/>` +
          '<input name="login"/><button>Sign in</button></form>', 'text/html');
      }
      const form = new URLSearchParams(await readBody(req));
      const page = await respond(sso[1], form.get('SAMLRequest') ?? '', form.get('RelayState') || undefined, form.get('login') ?? '');
      return send(res, 200, page, 'text/html');
    }
    send(res, 404, { error: 'not found' });
  } catch (error) {
    send(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
});

server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ url: base })}\n`);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
