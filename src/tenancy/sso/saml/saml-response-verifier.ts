import { Injectable, Logger } from '@nestjs/common';
import { Extractor, SamlLib } from 'samlify';
import { SamlSettings } from '../entities/sso-connection.entity';
import { CLOCK_SKEW_MS, SamlPair } from './saml-entities';
import { SAML_REFUSALS, SamlRefusal } from './saml-refusals';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What a verified assertion says, and what the caller still has to check against its sign-in. */
export interface VerifiedAssertion {
  readonly assertionId: string;
  readonly nameId: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The request the assertion answers (SubjectConfirmationData and Response InResponseTo, when present). */
  readonly inResponseTo: readonly string[];
  /** After this the assertion can no longer be accepted anywhere: how long its ID is remembered as used. */
  readonly usableUntil: Date;
}

export interface ExpectedRecipient {
  readonly spEntityId: string;
  readonly acsUrl: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
const list = (value: unknown): unknown[] => (value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]);
const time = (value: unknown): number | null => {
  const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(parsed) ? null : parsed;
};

/**
 * Checks a SAML Response (HTTP-POST binding) for one connection. samlify does the schema validation
 * (before anything else reads the document), the status, the XML signature against the metadata's
 * certificates (by absolute XPaths, refusing wrapped documents), the issuer and the Conditions
 * window; then this reads the assertion samlify verified, and only it, for what samlify leaves to
 * the service provider: its audience, recipient and destination, the bearer confirmation's window,
 * and the request it answers. A response whose assertion carries no signature of its own is
 * refused before that (samlify alone would take one signed as a whole message only).
 */
@Injectable()
export class SamlResponseVerifier {
  private readonly logger = new Logger(SamlResponseVerifier.name);

  async verify(pair: SamlPair, settings: SamlSettings, samlResponse: string, expected: ExpectedRecipient): Promise<VerifiedAssertion> {
    const xml = decode(samlResponse);
    this.precheck(xml, settings);
    let flow: Awaited<ReturnType<typeof pair.sp.parseLoginResponse>>;
    try {
      flow = await pair.sp.parseLoginResponse(pair.idp, 'post', { body: { SAMLResponse: samlResponse.replace(/\s+/g, '') } });
    } catch (error) {
      throw this.refusalOf(error, xml);
    }
    const [verified, assertionXml] = SamlLib.verifySignature(flow.samlContent, {
      metadata: pair.idp.entityMeta,
      signatureAlgorithm: pair.idp.entitySetting.requestSignatureAlgorithm,
    });
    if (!verified || !assertionXml) throw SAML_REFUSALS.badSignature();
    const assertion = Extractor.extract(assertionXml, [
      { key: 'id', localPath: ['Assertion'], attributes: ['ID'] },
      { key: 'audience', localPath: ['Assertion', 'Conditions', 'AudienceRestriction', 'Audience'], attributes: [] },
      { key: 'conditions', localPath: ['Assertion', 'Conditions'], attributes: ['NotBefore', 'NotOnOrAfter'] },
      { key: 'method', localPath: ['Assertion', 'Subject', 'SubjectConfirmation'], attributes: ['Method'] },
      {
        key: 'confirmation',
        localPath: ['Assertion', 'Subject', 'SubjectConfirmation', 'SubjectConfirmationData'],
        attributes: ['Recipient', 'InResponseTo', 'NotOnOrAfter', 'NotBefore'],
      },
      { key: 'nameId', localPath: ['Assertion', 'Subject', 'NameID'], attributes: [] },
    ]) as Record<string, unknown>;
    const assertionId = text(assertion.id);
    if (!assertionId) throw SAML_REFUSALS.responseInvalid();
    if (!list(assertion.audience).some((audience) => text(audience) === expected.spEntityId)) throw SAML_REFUSALS.wrongAudience();

    const confirmations = list(assertion.confirmation) as Record<string, unknown>[];
    if (text(assertion.method) !== BEARER || confirmations.length !== 1) throw SAML_REFUSALS.responseInvalid('subject_confirmation_invalid');
    const [confirmation] = confirmations;
    if (text(confirmation.recipient) !== expected.acsUrl) throw SAML_REFUSALS.wrongRecipient();
    const destination = text((flow.extract.response as Record<string, unknown> | undefined)?.destination);
    if (destination !== null && destination !== expected.acsUrl) throw SAML_REFUSALS.wrongRecipient();

    const now = Date.now();
    const confirmationEnd = time(confirmation.notOnOrAfter);
    if (confirmationEnd === null || now >= confirmationEnd + CLOCK_SKEW_MS) throw SAML_REFUSALS.expired();
    const confirmationStart = time(confirmation.notBefore);
    if (confirmationStart !== null && confirmationStart - CLOCK_SKEW_MS > now) throw SAML_REFUSALS.expired();
    const conditionsEnd = time((assertion.conditions as Record<string, unknown> | undefined)?.notOnOrAfter);

    const nameId = text(assertion.nameId);
    if (!nameId) throw SAML_REFUSALS.responseInvalid('no_name_id');
    const responseInResponseTo = text((flow.extract.response as Record<string, unknown> | undefined)?.inResponseTo);
    return {
      assertionId,
      nameId,
      attributes: (flow.extract.attributes as Record<string, unknown> | undefined) ?? {},
      inResponseTo: [text(confirmation.inResponseTo) ?? '', ...(responseInResponseTo !== null ? [responseInResponseTo] : [])],
      usableUntil: new Date(Math.max(confirmationEnd, conditionsEnd ?? 0) + CLOCK_SKEW_MS),
    };
  }

  /**
   * Refusals read from the document before it is verified, to say plainly what is wrong; a refusal
   * only, never a reason to accept: everything accepted is read from the verified assertion.
   */
  private precheck(xml: string, settings: SamlSettings): void {
    let seen: Record<string, unknown>;
    try {
      seen = Extractor.extract(xml, [
        { key: 'issuer', localPath: ['Response', 'Issuer'], attributes: [] },
        { key: 'assertionIssuer', localPath: ['Response', 'Assertion', 'Issuer'], attributes: [] },
        { key: 'assertion', localPath: ['Response', 'Assertion'], attributes: [], context: true },
        { key: 'encrypted', localPath: ['Response', 'EncryptedAssertion'], attributes: [], context: true },
        { key: 'signature', localPath: ['Response', 'Assertion', 'Signature'], attributes: [], context: true },
      ]) as Record<string, unknown>;
    } catch {
      throw SAML_REFUSALS.responseInvalid();
    }
    if (seen.encrypted) throw SAML_REFUSALS.responseInvalid('assertion_encrypted');
    for (const issuer of [seen.issuer, seen.assertionIssuer]) {
      if (issuer !== null && issuer !== undefined && text(issuer) !== settings.idpEntityId) throw SAML_REFUSALS.wrongIssuer();
    }
    if (typeof seen.assertion === 'string' && !seen.signature) throw SAML_REFUSALS.unsigned();
  }

  private refusalOf(error: unknown, xml: string): SamlRefusal {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('ERR_FAILED_STATUS')) return SAML_REFUSALS.providerStatus();
    if (/^(FAILED_TO_VERIFY_SIGNATURE|ERROR_UNMATCH_CERTIFICATE|NO_SELECTED_CERTIFICATE|NO_SIGNATURE_REFERENCES)/.test(message)) {
      return SAML_REFUSALS.badSignature();
    }
    if (/^invalid signature|^Cannot|signature/i.test(message)) return SAML_REFUSALS.badSignature();
    if (message.startsWith('ERR_UNMATCH_ISSUER')) return SAML_REFUSALS.wrongIssuer();
    if (/^ERR_(SUBJECT_UNCONFIRMED|EXPIRED_SESSION)/.test(message)) return SAML_REFUSALS.expired();
    if (message.startsWith('ERR_POTENTIAL_WRAPPING_ATTACK')) return SAML_REFUSALS.responseInvalid('signature_wrapping');
    if (/VALIDATE_XML|INVALID_XML|UNDEFINED_STATUS/.test(message)) return SAML_REFUSALS.responseInvalid('schema_invalid');
    this.logger.warn({ message: message.slice(0, 200), bytes: xml.length }, 'a SAML response failed validation');
    return SAML_REFUSALS.responseInvalid();
  }
}

/** The XML of a base64 SAMLResponse; refused when it is not base64 or not XML. */
function decode(samlResponse: string): string {
  const compact = samlResponse.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw SAML_REFUSALS.responseInvalid();
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  if (!xml.trimStart().startsWith('<')) throw SAML_REFUSALS.responseInvalid();
  return xml;
}
