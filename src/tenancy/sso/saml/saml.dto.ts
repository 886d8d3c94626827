import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { MaxLength, MinLength, OmittableNotNull } from '@app/http';

const IDP_METADATA_EXAMPLE =
  '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.acme.example/saml">' +
  '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
  '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIC…</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>' +
  '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.acme.example/saml/sso"/>' +
  '</md:IDPSSODescriptor></md:EntityDescriptor>';

/** A SAML attribute name: any non-empty text without control characters (URIs, `email`, ...). */
const ATTRIBUTE_NAME = /^\P{Cc}+$/u;

export class SamlSettingsDto {
  @ApiProperty({
    example: IDP_METADATA_EXAMPLE,
    maxLength: 200_000,
    description:
      "The identity provider's SAML 2.0 metadata XML, pasted (it is never fetched from a URL): its entity id, a SingleSignOnService " +
      'with the HTTP-Redirect binding, and its signing certificate(s). It must not set WantAuthnRequestsSigned.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200_000)
  readonly metadataXml!: string;

  @ApiPropertyOptional({
    example: 'email',
    maxLength: 256,
    nullable: true,
    description: 'The assertion attribute holding the email address; omitted or null: the NameID (which must then be the email).',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @Matches(ATTRIBUTE_NAME, { message: 'emailAttribute must be an attribute name' })
  readonly emailAttribute?: string | null;

  @ApiPropertyOptional({
    example: 'displayName',
    maxLength: 256,
    nullable: true,
    description: 'The assertion attribute holding the display name; omitted or null: the part of the email before the @.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @Matches(ATTRIBUTE_NAME, { message: 'nameAttribute must be an attribute name' })
  readonly nameAttribute?: string | null;
}

export class SamlCertificateView {
  @ApiProperty({ example: 'CN=idp.acme.example' })
  subject!: string;

  @ApiProperty({ format: 'date-time' })
  notAfter!: string;

  @ApiProperty({ example: '3A:7F:…', description: 'SHA-256 of the DER certificate, to compare with what the identity provider shows.' })
  sha256Fingerprint!: string;
}

export class SamlSettingsView {
  @ApiProperty({ example: 'https://idp.acme.example/saml', description: "The identity provider's entity id, from its metadata." })
  idpEntityId!: string;

  @ApiProperty({ example: 'https://idp.acme.example/saml/sso', description: 'Where sign-ins are sent (HTTP-Redirect binding).' })
  ssoUrl!: string;

  @ApiProperty({ type: [SamlCertificateView], description: 'The certificates assertions may be signed with.' })
  signingCertificates!: SamlCertificateView[];

  @ApiProperty({ example: 'email', nullable: true, type: String })
  emailAttribute!: string | null;

  @ApiProperty({ example: 'displayName', nullable: true, type: String })
  nameAttribute!: string | null;

  @ApiProperty({
    example: 'https://api.atrium.example/v1/auth/sso/saml/0193a3c2-7b1e-7cc0-8f00-123456789abd/metadata',
    description: "Atrium's service-provider entity id for this connection (the Audience the identity provider must assert).",
  })
  spEntityId!: string;

  @ApiProperty({
    example: 'https://api.atrium.example/v1/auth/sso/saml/acs',
    description: 'The assertion consumer service URL (HTTP-POST) to register at the identity provider.',
  })
  acsUrl!: string;

  @ApiProperty({
    example: 'https://api.atrium.example/v1/auth/sso/saml/0193a3c2-7b1e-7cc0-8f00-123456789abd/metadata',
    description: "Atrium's service-provider metadata, for the identity provider's admin to load.",
  })
  metadataUrl!: string;
}

/** What the identity provider's auto-submitted form posts (HTTP-POST binding). */
export class SamlAcsBody {
  @ApiProperty({ description: 'The base64 SAML Response.', maxLength: 500_000, example: 'PHNhbWxwOlJlc3BvbnNlIC4uLg==' })
  @IsString()
  @MinLength(1)
  @MaxLength(500_000)
  readonly SAMLResponse!: string;

  @ApiPropertyOptional({ description: 'The RelayState Atrium gave with the request: names the sign-in.', maxLength: 512, example: 'Zm9vYmFy' })
  @OmittableNotNull()
  @IsString()
  @MaxLength(512)
  readonly RelayState?: string;
}
