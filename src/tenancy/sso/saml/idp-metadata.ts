import { X509Certificate, createHash } from 'node:crypto';
import { IdPMetadata } from 'samlify';
import { AppError } from '@app/http';

/** What an identity provider's metadata says that a SAML connection needs. */
export interface IdpMetadataFacts {
  readonly entityId: string;
  readonly ssoUrl: string;
  /** Base64 DER, as in the metadata. */
  readonly signingCertificates: readonly string[];
}

/** What is shown of a signing certificate (it is public, but a fingerprint is what people compare). */
export interface CertificateSummary {
  readonly subject: string;
  readonly notAfter: string;
  readonly sha256Fingerprint: string;
}

const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export const metadataInvalid = (why: string) =>
  new AppError('validation', 'SSO_SAML_METADATA_INVALID', `The identity provider's metadata is not usable: ${why}.`, {
    errors: [{ field: 'saml.metadataXml', message: why }],
  });

function asList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value.flat(Infinity) : [value];
}

/**
 * Reads and checks the metadata XML an owner pasted (Atrium never fetches metadata from a URL: that
 * would let an owner make the server call any address). One EntityDescriptor with an IdP role, an
 * entity id, a single sign-on service with the HTTP-Redirect binding, at least one signing
 * certificate that parses as X.509, and no demand for signed AuthnRequests (Atrium sends none).
 */
export function readIdpMetadata(xml: string, allowHttp: boolean): IdpMetadataFacts {
  if (!/<([A-Za-z_][\w.-]*:)?IDPSSODescriptor[\s>]/.test(xml)) throw metadataInvalid('no IDPSSODescriptor (is it an identity provider\'s metadata?)');
  if (/<!DOCTYPE/i.test(xml)) throw metadataInvalid('a DOCTYPE is not allowed');
  if (/<([A-Za-z_][\w.-]*:)?EntitiesDescriptor[\s>]/.test(xml)) throw metadataInvalid('give the metadata of one entity (an EntityDescriptor), not several');
  let metadata: ReturnType<typeof IdPMetadata>;
  try {
    metadata = IdPMetadata(xml);
  } catch (error) {
    const multiple = error instanceof Error && error.message.includes('MULTIPLE_METADATA_ENTITYDESCRIPTOR');
    throw metadataInvalid(multiple ? 'give the metadata of one entity, not several' : 'not well-formed XML');
  }
  const entityId: unknown = metadata.getEntityID();
  if (typeof entityId !== 'string' || entityId.trim() === '' || entityId.length > 1024) throw metadataInvalid('no entityID');
  const ssoUrl: unknown = metadata.getSingleSignOnService('redirect');
  if (typeof ssoUrl !== 'string') throw metadataInvalid(`no SingleSignOnService with the ${HTTP_REDIRECT} binding`);
  let url: URL;
  try {
    url = new URL(ssoUrl);
  } catch {
    throw metadataInvalid('the single sign-on URL is not a URL');
  }
  if (!(url.protocol === 'https:' || (allowHttp && url.protocol === 'http:'))) throw metadataInvalid('the single sign-on URL must be https');
  if (metadata.isWantAuthnRequestsSigned()) {
    throw metadataInvalid('it sets WantAuthnRequestsSigned="true", and Atrium does not sign its requests; turn that off at the identity provider');
  }
  const certificates = asList(metadata.getX509Certificate('signing')).map((value) => String(value).replace(/\s+/g, ''));
  if (certificates.length === 0) throw metadataInvalid('no signing certificate (KeyDescriptor use="signing")');
  for (const certificate of certificates) {
    if (summarizeCertificate(certificate) === null) throw metadataInvalid('a signing certificate is not a valid X.509 certificate');
  }
  return { entityId: entityId.trim(), ssoUrl, signingCertificates: [...new Set(certificates)] };
}

/** Subject, expiry and SHA-256 fingerprint of a base64 DER certificate; null when it does not parse. */
export function summarizeCertificate(base64Der: string): CertificateSummary | null {
  try {
    const der = Buffer.from(base64Der, 'base64');
    const certificate = new X509Certificate(der);
    return {
      subject: certificate.subject.replace(/\n/g, ', '),
      notAfter: new Date(certificate.validTo).toISOString(),
      sha256Fingerprint: createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:'),
    };
  } catch {
    return null;
  }
}
