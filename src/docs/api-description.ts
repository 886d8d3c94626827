/** The prose of the document: what a newcomer reads before the first call. */

export const API_TITLE = 'Atrium API';

/** The document's introduction, its examples addressed to `origin` (where clients reach this server). */
export const apiDescription = (
  origin: string,
): string => `Multi-tenant customer records (companies, contacts, activities) with tenant isolation, audit and
privacy controls built in.

## Quick start

1. **Get a token.** Create an account and its organization, or sign in:

   \`\`\`sh
   curl -X POST ${origin}/v1/auth/signup -H 'Content-Type: application/json' \\
     -d '{"email":"ada@example.com","password":"correct horse battery","name":"Ada Lovelace","organizationName":"Acme Corp"}'
   curl -X POST ${origin}/v1/auth/login -H 'Content-Type: application/json' \\
     -d '{"email":"ada@example.com","password":"correct horse battery"}'
   \`\`\`

   Both answer with a \`token\` (a session token, valid until \`expiresAt\` or an idle timeout). A user with MFA gets
   \`{"mfaRequired": true, "challengeToken": ...}\` from the sign-in instead, and the token from
   \`POST /v1/auth/login/mfa\` with the challenge and a \`code\` of their authenticator.
   In an organization with single sign-on, open \`${origin}/v1/auth/sso/start?email=<your work email>\` in a browser
   instead: its identity provider signs you in and the callback answers the same kind of token (tag *Single sign-on*).
   Where the organization enforces it, a password sign-in with such an email answers 403 \`SSO_REQUIRED\`.
2. **Call the API** with \`Authorization: Bearer <token>\`:

   \`\`\`sh
   curl -H "Authorization: Bearer $TOKEN" ${origin}/v1/contacts
   \`\`\`
3. **For machines, create an API key** (\`POST /v1/api-keys\` with a session token, \`{"name":"CRM sync","scopes":["contacts:read"]}\`).
   The \`secret\` (\`atr_...\`) is shown once; use it as the bearer token. In this explorer, press **Authorize** and paste
   either kind of token.

## Conventions

- **Tenancy**: every token belongs to one organization, and every call acts in it. A resource of another organization
  answers 404, exactly like a missing one.
- **Access**: each operation states what it needs (also machine-readable as \`x-atrium-access\`): public, any token,
  a permission such as \`contacts:write\`, or a user session (API keys refused). Lacking it is 403 \`FORBIDDEN\`.
  In an organization that requires MFA, a session that passed no second factor gets 403 \`MFA_ENROLMENT_REQUIRED\`
  everywhere but MFA enrolment (tag *MFA*), \`GET /v1/me\`, logout and switching organization; API keys are not affected.
- **Errors** are RFC 9457 problem documents (\`application/problem+json\`, schema \`Problem\`) with a stable \`code\`
  and the \`requestId\`; 400 lists field errors in \`errors\`. Unknown body fields are rejected.
- **Lists** are cursor-paginated: \`?limit=\` (1 to 100, default 25) and \`?cursor=\` with the \`nextCursor\` of the previous
  page; the body is \`{ "data": [...], "nextCursor": string | null }\`.
- **Idempotency**: creating \`POST\`s accept \`Idempotency-Key\`; a retry within 24 hours replays the first response.
- **Caching and concurrency**: \`GET\`s return an \`ETag\` and answer \`If-None-Match\` with 304; \`PATCH\` and \`DELETE\`
  accept \`If-Match\` and answer 412 when your copy is stale.
- **Rate limits**: limited routes send \`RateLimit-Limit\`, \`RateLimit-Remaining\` and \`RateLimit-Reset\`, and answer 429
  with \`Retry-After\` when exceeded.
- **Request ids**: every response carries \`X-Request-Id\` (yours when you send a sane one).

## SCIM 2.0 provisioning (outside this document)

Identity providers (Okta, Entra ID, …) provision members at \`${origin}/scim/v2\` (\`/Users\`, \`/Groups\`,
\`/ServiceProviderConfig\`, \`/ResourceTypes\`, \`/Schemas\`) with a SCIM token from \`POST /v1/scim-tokens\` as bearer.
Those routes follow RFC 7643/7644, whose contract wins there over the conventions above: \`application/scim+json\`,
\`startIndex\`/\`count\` paging, \`filter\`, and SCIM error bodies (\`urn:ietf:params:scim:api:messages:2.0:Error\` with
\`status\` as a string and \`scimType\`) instead of problem documents. They are described by their discovery routes, not
listed here; the SCIM tokens and the group-to-role mapping are (tag *SCIM provisioning*).

## This document

\`/docs/openapi.json\` and \`/docs/openapi.yaml\` (OpenAPI 3), \`/docs/postman.json\` (a Postman v2.1 collection with
\`baseUrl\` and \`token\` variables) and this explorer at \`/docs\` are served without credentials.`;

/** Descriptions of the tags, in the order the explorer lists them; a tag in use but not here is listed after these. */
export const TAG_DESCRIPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['Auth', 'Sign-up, sign-in, sessions and the caller (`/v1/me`).'],
  [
    'MFA',
    'Your own multi-factor authentication: a TOTP authenticator with recovery codes. An organization may require it (`settings.mfaRequired`).',
  ],
  ['Organizations', 'The organizations you belong to and the current one.'],
  ['Members', 'Membership, roles and invitations of the current organization.'],
  ['API keys', 'Keys for machine clients; each acts with its scopes in one organization.'],
  [
    'Single sign-on',
    "OpenID Connect sign-in through the organization's identity provider, its verified email domains, and SSO enforcement.",
  ],
  ['SCIM provisioning', "Tokens for an identity provider's SCIM client (`/scim/v2`), and the roles its groups confer."],
  ['Companies', 'Companies of the organization.'],
  ['Contacts', 'Contacts (people) of the organization, with search and filters.'],
  ['Activities', 'Notes, calls, emails and meetings with a contact.'],
  ['Audit', 'The tamper-evident audit log of the organization.'],
  ['Privacy', 'Data subject requests (access, erasure) and the record of processing.'],
  ['Retention', 'Retention policies and legal holds.'],
  ['Compliance', 'SOC 2 evidence, signed compliance reports and the key that verifies them.'],
  ['Organization closure', 'Closing the organization: full export, grace period, deletion and its signed certificate.'],
  ['Operations', 'Health probes and metrics for operators; outside `/v1`.'],
];
