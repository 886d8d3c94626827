import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, IsUUID } from 'class-validator';
import { MaxLength, MinLength, OmittableNotNull, TrimLowerCase } from '@app/http';

/** Exactly one of the two names the organization; the service refuses neither or both. */
export class StartSsoQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'The organization to sign in to.' })
  @OmittableNotNull()
  @IsUUID()
  readonly organizationId?: string;

  @ApiPropertyOptional({
    example: 'ada@acme.example',
    maxLength: 254,
    description: 'Your work email: its domain, verified by an organization, finds that organization (and is passed on as a login hint).',
  })
  @OmittableNotNull()
  @TrimLowerCase()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  readonly email?: string;
}

const providerParam = (description: string, maxLength = 2048) => ApiPropertyOptional({ description, maxLength });

/**
 * What the identity provider sends back to the redirect URI. The protocol's parameters plus those
 * common providers add (Keycloak and Entra ID `session_state`, Google `scope`, `authuser`, `hd`,
 * `prompt`), which are accepted and ignored.
 */
export class SsoCallbackQuery {
  @providerParam('The `state` of the sign-in this completes.', 512)
  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  readonly state?: string;

  @providerParam('The authorization code.')
  @OmittableNotNull()
  @IsString()
  @MaxLength(2048)
  readonly code?: string;

  @providerParam('The issuer identifier (RFC 9207), checked when the provider sends it.')
  @OmittableNotNull()
  @IsString()
  @MaxLength(2048)
  readonly iss?: string;

  @providerParam('An error code from the provider (`access_denied`, ...).', 256)
  @OmittableNotNull()
  @IsString()
  @MaxLength(256)
  readonly error?: string;

  @providerParam("The provider's description of the error.")
  @OmittableNotNull()
  @IsString()
  @MaxLength(2048)
  readonly error_description?: string;

  @providerParam('A page about the error.')
  @OmittableNotNull()
  @IsString()
  @MaxLength(2048)
  readonly error_uri?: string;

  @providerParam('Ignored (Keycloak, Entra ID).')
  @OmittableNotNull()
  @IsString()
  @MaxLength(2048)
  readonly session_state?: string;

  @providerParam('Ignored (Google).')
  @OmittableNotNull()
  @IsString()
  @MaxLength(2048)
  readonly scope?: string;

  @providerParam('Ignored (Google).', 256)
  @OmittableNotNull()
  @IsString()
  @MaxLength(256)
  readonly authuser?: string;

  @providerParam('Ignored (Google).', 256)
  @OmittableNotNull()
  @IsString()
  @MaxLength(256)
  readonly hd?: string;

  @providerParam('Ignored (Google).', 256)
  @OmittableNotNull()
  @IsString()
  @MaxLength(256)
  readonly prompt?: string;
}

/** The answer of a start asked for as JSON (`Accept: application/json`), for apps that open the URL themselves. */
export class SsoAuthorizationView {
  @ApiProperty({
    format: 'uri',
    example:
      'https://login.acme.example/authorize?client_id=atrium&response_type=code&scope=openid%20email&state=Zm9v&nonce=YmFy&code_challenge=cGtjZQ&code_challenge_method=S256',
    description: "Open in a browser: the identity provider's sign-in, which returns to the callback.",
  })
  authorizationUrl!: string;

  @ApiProperty({ format: 'date-time', description: 'The sign-in must come back to the callback before this.' })
  expiresAt!: string;
}
