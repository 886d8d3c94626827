/**
 * What the Postman collection needs to know about operations that the OpenAPI document cannot say:
 * which response carries the credential the run continues with, which requests end it, which
 * state a request needs and how long to wait for it. Bodies, schemas, order and the ids a create
 * returns come from the document (src/docs/postman-plan.ts); this is only the story of one run.
 *
 * Templates are Postman's: `{{name}}` is a collection variable, set by an earlier request.
 */

export interface OperationScenario {
  /** Variables set before the request is sent: name → a sandbox expression. */
  readonly before?: Readonly<Record<string, string>>;
  /** Request body fields sent as these templates instead of the example's value. */
  readonly body?: Readonly<Record<string, string>>;
  /** Variables set from the success response: name → path in the body (`user.id`). */
  readonly captures?: Readonly<Record<string, string>>;
  /** Variables set from the sent body after a success: name → body field. */
  readonly keeps?: Readonly<Record<string, string>>;
  /** Ends the session the collection runs on: runs in the last folder, after everything else. */
  readonly endsSession?: boolean;
  /** Operations that must run first (beyond what the variables say). */
  readonly after?: readonly string[];
  /** Polls a GET (path template) until a body field has one of the values, before sending. */
  readonly waitFor?: { readonly path: string; readonly field: string; readonly values: readonly string[] };
  /**
   * Sends `operationId`'s request first (its body with `body` on top) and keeps the id it returns
   * as `variable`: a resource of this request's own, which the run does not otherwise leave.
   */
  readonly fresh?: { readonly operationId: string; readonly variable: string; readonly body?: Readonly<Record<string, string>> };
  /** Path parameters sent as another variable than the one the path names (the fresh resource's). */
  readonly pathVariables?: Readonly<Record<string, string>>;
  /**
   * The documented problem this request gets in the state the run leaves, asserted instead of
   * its success: the collection cannot produce what the success needs.
   */
  readonly expectProblem?: { readonly status: number; readonly code: string; readonly why: string };
}

const UNIQUE_EMAIL = "'postman-' + pm.variables.replaceIn('{{$guid}}') + '@example.com'";
const IN_30_DAYS = 'new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString()';

/** The current TOTP code (RFC 6238: HMAC-SHA-1, 6 digits, 30 s) of `{{totpSecret}}` (base32), with the sandbox's crypto-js. */
const CURRENT_TOTP_CODE = [
  "(function (secret) { var CryptoJS = require('crypto-js'); var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', bits = '', hex = '';",
  "for (var i = 0; i < secret.length; i++) bits += ('00000' + alphabet.indexOf(secret.charAt(i)).toString(2)).slice(-5);",
  "for (var j = 0; j + 8 <= bits.length; j += 8) hex += ('0' + parseInt(bits.substr(j, 8), 2).toString(16)).slice(-2);",
  "var counter = ('0000000000000000' + Math.floor(Date.now() / 30000).toString(16)).slice(-16);",
  'var mac = CryptoJS.HmacSHA1(CryptoJS.enc.Hex.parse(counter), CryptoJS.enc.Hex.parse(hex)).toString(CryptoJS.enc.Hex);',
  'var offset = parseInt(mac.slice(-1), 16); var code = (parseInt(mac.substr(offset * 2, 8), 16) & 0x7fffffff) % 1000000;',
  "return ('000000' + code).slice(-6); })(pm.collectionVariables.get('totpSecret'))",
].join(' ');

export const SCENARIO: Readonly<Record<string, OperationScenario>> = {
  signup: {
    before: { email: UNIQUE_EMAIL },
    body: { email: '{{email}}' },
    keeps: { password: 'password' },
    captures: { token: 'token', organizationName: 'organization.name' },
  },
  login: { body: { email: '{{email}}', password: '{{password}}' } },
  changePassword: {
    body: { currentPassword: '{{password}}' },
    keeps: { password: 'newPassword' },
    // It ends every other session, the one revokeSession ends among them.
    after: ['revokeSession'],
  },
  switchOrganization: { endsSession: true, captures: { token: 'token' } },
  logout: { endsSession: true, after: ['switchOrganization'] },
  updateOrganization: { captures: { organizationName: 'name' } },
  // MFA on the run's own account: enrolled with a code computed here, then each recovery-code use, then off again.
  startTotpEnrolment: { captures: { totpSecret: 'secret' } },
  confirmTotpEnrolment: {
    after: ['startTotpEnrolment'],
    before: { totpCode: CURRENT_TOTP_CODE },
    body: { code: '{{totpCode}}' },
    captures: { recoveryCode: 'recoveryCodes.0', spareRecoveryCode: 'recoveryCodes.1' },
  },
  verifyMfaSession: { body: { recoveryCode: '{{recoveryCode}}' } },
  regenerateRecoveryCodes: {
    after: ['verifyMfaSession'],
    body: { recoveryCode: '{{spareRecoveryCode}}' },
    captures: { newRecoveryCode: 'recoveryCodes.0' },
  },
  disableMfa: { after: ['regenerateRecoveryCodes'], body: { recoveryCode: '{{newRecoveryCode}}' } },
  // A challenge of its own: the sign-in limit counts per challenge token, and runs sharing one Redis must not share a counter.
  completeMfaLogin: {
    before: { mfaChallengeToken: "'mfa_' + pm.variables.replaceIn('{{$guid}}')" },
    body: { challengeToken: '{{mfaChallengeToken}}' },
    expectProblem: {
      status: 401,
      code: 'MFA_CHALLENGE_INVALID',
      why: 'the run signs in before it enrols in MFA, so its sign-in got a session rather than a challenge',
    },
  },
  createInvitation: { before: { inviteeEmail: UNIQUE_EMAIL }, body: { email: '{{inviteeEmail}}' }, captures: { invitationToken: 'token' } },
  acceptInvitation: { body: { token: '{{invitationToken}}' }, captures: { memberUserId: 'user.id' } },
  // The invitation createInvitation made has been accepted; revoking needs a pending one.
  revokeInvitation: { fresh: { operationId: 'createInvitation', variable: 'invitationId' } },
  createApiKey: { before: { apiKeyExpiresAt: IN_30_DAYS }, body: { expiresAt: '{{apiKeyExpiresAt}}' } },
  getPrivacyRequest: { waitFor: { path: '/v1/privacy/requests/{{requestId}}', field: 'status', values: ['completed'] } },
  extendPrivacyRequest: {
    waitFor: { path: '/v1/privacy/requests/{{requestId}}', field: 'status', values: ['completed'] },
    expectProblem: { status: 409, code: 'PRIVACY_REQUEST_CLOSED', why: 'an access request is handled moments after it is received' },
  },
  rejectPrivacyRequest: {
    waitFor: { path: '/v1/privacy/requests/{{requestId}}', field: 'status', values: ['completed'] },
    expectProblem: { status: 409, code: 'PRIVACY_REQUEST_NOT_PENDING', why: 'an access request is handled moments after it is received' },
  },
  downloadPrivacyExport: { waitFor: { path: '/v1/privacy/requests/{{requestId}}', field: 'status', values: ['completed'] } },
  // The run's request is an access request; a certificate needs an erasure, of a subject of its own.
  getErasureCertificate: {
    before: { erasureSubjectEmail: UNIQUE_EMAIL },
    fresh: {
      operationId: 'createPrivacyRequest',
      variable: 'erasureRequestId',
      body: { type: 'erasure', subjectEmail: '{{erasureSubjectEmail}}' },
    },
    pathVariables: { id: 'erasureRequestId' },
    waitFor: { path: '/v1/privacy/requests/{{erasureRequestId}}', field: 'status', values: ['completed'] },
  },
  downloadReport: { waitFor: { path: '/v1/compliance/reports/{{reportId}}', field: 'status', values: ['ready'] } },
  requestOrganizationClosure: {
    body: { confirmOrganizationName: '{{organizationName}}' },
    captures: { deletionCertificateId: 'certificateId' },
  },
  downloadOrganizationExport: { waitFor: { path: '/v1/organization/closure', field: 'status', values: ['export_ready'] } },
  getDeletionCertificate: {
    expectProblem: {
      status: 404,
      code: 'DELETION_CERTIFICATE_NOT_FOUND',
      why: 'the certificate is published once the organization is deleted, after the grace period',
    },
  },
  // The connection exists once the PUT has run (a GET before it is a 404).
  getSsoConnection: { after: ['putSsoConnection'] },
  verifySsoDomain: {
    expectProblem: {
      status: 422,
      code: 'SSO_DOMAIN_NOT_VERIFIED',
      why: 'verification reads a DNS TXT record that only the owner of the domain can publish',
    },
  },
  startSsoSignIn: {
    expectProblem: {
      status: 400,
      code: 'VALIDATION_FAILED',
      why: 'a sign-in names the organization (organizationId) or a work email, and goes on in a browser at an identity provider this collection does not have',
    },
  },
  completeSsoSignIn: {
    expectProblem: {
      status: 400,
      code: 'SSO_STATE_INVALID',
      why: 'only the identity provider, after a sign-in in a browser, sends the callback a live state',
    },
  },
  getSamlServiceProviderMetadata: {
    // The run's connection is OpenID Connect: the request names a connection id of its own, which no SAML connection has.
    before: { unknownSamlConnectionId: "pm.variables.replaceIn('{{$guid}}')" },
    pathVariables: { connectionId: 'unknownSamlConnectionId' },
    expectProblem: {
      status: 404,
      code: 'SSO_CONNECTION_NOT_FOUND',
      why: "service-provider metadata exists for a SAML connection, and the run's connection is OpenID Connect",
    },
  },
  consumeSamlResponse: {
    expectProblem: {
      status: 400,
      code: 'SSO_STATE_INVALID',
      why: 'only the identity provider, after a sign-in in a browser, posts the assertion consumer service a live RelayState',
    },
  },
  mapScimGroupRole: {
    // The run's list of groups is empty: the request names a group id of its own, which no group has.
    before: { unknownScimGroupId: "pm.variables.replaceIn('{{$guid}}')" },
    pathVariables: { id: 'unknownScimGroupId' },
    expectProblem: {
      status: 404,
      code: 'SCIM_GROUP_NOT_FOUND',
      why: "groups come from an identity provider's SCIM client (/scim/v2), which this collection does not play",
    },
  },
};
