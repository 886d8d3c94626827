import { AppError } from '@app/http';

/** Why a SAML sign-in was refused: the reason goes to the security event, the error to the client. */
export class SamlRefusal extends Error {
  constructor(
    readonly reason: string,
    readonly error: AppError,
  ) {
    super(reason);
  }
}

const refused = (reason: string, code: string, detail: string) => new SamlRefusal(reason, new AppError('unauthenticated', code, detail));

/** Each refusal of a SAML response, by reason: the stable code the client sees and a sentence for a person. */
export const SAML_REFUSALS = {
  responseInvalid: (reason = 'response_invalid') =>
    refused(reason, 'SSO_SAML_RESPONSE_INVALID', 'The SAML response is not a well-formed, schema-valid SAML 2.0 response; start again.'),
  providerStatus: () => refused('idp_status', 'SSO_PROVIDER_ERROR', 'The identity provider refused the sign-in.'),
  unsigned: () =>
    refused('assertion_unsigned', 'SSO_SAML_ASSERTION_UNSIGNED', 'The SAML assertion is not signed; the identity provider must sign assertions.'),
  badSignature: () =>
    refused(
      'signature_invalid',
      'SSO_SAML_SIGNATURE_INVALID',
      "The SAML assertion's signature does not verify with the identity provider's certificate; start again.",
    ),
  wrongIssuer: () =>
    refused('issuer_mismatch', 'SSO_SAML_ISSUER_MISMATCH', "The SAML response comes from another identity provider than this organization's."),
  wrongAudience: () =>
    refused('audience_mismatch', 'SSO_SAML_AUDIENCE_MISMATCH', "The SAML assertion is meant for another service provider than this organization's connection."),
  wrongRecipient: () =>
    refused('recipient_mismatch', 'SSO_SAML_RECIPIENT_MISMATCH', "The SAML response is addressed to another URL than Atrium's assertion consumer service."),
  expired: () => refused('assertion_expired', 'SSO_SAML_ASSERTION_EXPIRED', 'The SAML assertion has expired (or is not valid yet); start again.'),
  replayed: () => refused('assertion_replayed', 'SSO_SAML_ASSERTION_REPLAYED', 'This SAML assertion was used already; start again.'),
  notRequested: () =>
    refused(
      'in_response_to_mismatch',
      'SSO_SAML_IN_RESPONSE_TO_MISMATCH',
      'The SAML response does not answer the sign-in request this browser started (InResponseTo); start again.',
    ),
} as const;
