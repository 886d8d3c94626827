import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  ArrayContains,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MaxLength, MinLength, OmittableNotNull, Trim } from '@app/http';
import { ROLES, Role } from '../../permissions';
import { SSO_CONNECTION_TYPES, SsoConnectionType } from '../entities/sso-connection.entity';
import { SamlSettingsDto, SamlSettingsView } from '../saml/saml.dto';

/** Owners are made in Atrium by an owner, never by an identity provider: SSO grants any role but owner. */
export const SSO_GRANTABLE_ROLES = ROLES.filter((role) => role !== 'owner');
export type SsoGrantableRole = Exclude<Role, 'owner'>;

export class OidcSettingsDto {
  @ApiProperty({
    example: 'https://login.acme.example/realms/staff',
    maxLength: 500,
    description: 'The issuer identifier; its discovery document is read from `<issuer>/.well-known/openid-configuration`.',
  })
  @Trim()
  @IsString()
  @MaxLength(500)
  @IsUrl(
    { protocols: ['https', 'http'], require_protocol: true, require_tld: false, allow_fragments: false, allow_query_components: false },
    { message: 'issuer must be an https URL without query or fragment' },
  )
  readonly issuer!: string;

  @ApiProperty({ example: 'atrium', maxLength: 255 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  readonly clientId!: string;

  @ApiPropertyOptional({
    example: 'k8s9-secret-from-the-idp',
    maxLength: 1000,
    writeOnly: true,
    description: 'Write-only: stored encrypted, never returned. Required when the connection is created; omit it to keep the stored one.',
  })
  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  readonly clientSecret?: string;

  @ApiPropertyOptional({
    example: ['openid', 'email', 'profile', 'groups'],
    default: ['openid', 'email', 'profile'],
    maxItems: 20,
    description: 'Requested scopes; must include `openid`.',
  })
  @OmittableNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  @Matches(/^[\x21\x23-\x5b\x5d-\x7e]+$/, { each: true, message: 'each scope must be a scope token (no spaces or quotes)' })
  @ArrayContains(['openid'], { message: 'scopes must include openid' })
  readonly scopes?: string[];
}

export class RoleMappingRuleDto {
  @ApiProperty({ example: 'atrium-admins', maxLength: 256, description: 'A value of the claim (a group name, say).' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  readonly value!: string;

  @ApiProperty({ enum: SSO_GRANTABLE_ROLES, example: 'admin' })
  @IsIn(SSO_GRANTABLE_ROLES)
  readonly role!: SsoGrantableRole;
}

export class RoleMappingDto {
  @ApiProperty({
    example: 'groups',
    maxLength: 256,
    description: 'The ID-token claim (OIDC) or assertion attribute name (SAML) to read: a string or a list of strings.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  readonly claim!: string;

  @ApiProperty({ type: [RoleMappingRuleDto], maxItems: 100, description: 'The first rule whose value the claim holds decides the role.' })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => RoleMappingRuleDto)
  readonly rules!: RoleMappingRuleDto[];
}

/** Required when `type` names its protocol; validated whenever present (the service refuses the other protocol's object). */
const forType = (type: SsoConnectionType) => ValidateIf((body: PutSsoConnectionDto, value) => body.type === type || value !== undefined);

/**
 * The connection, discriminated by `type`: `oidc` takes the `oidc` object, `saml` the `saml`
 * object, and the other one must be left out. The protocol-independent fields are the same.
 */
export class PutSsoConnectionDto {
  @ApiProperty({
    enum: SSO_CONNECTION_TYPES,
    example: 'oidc',
    description: 'The protocol, which says which settings object the body carries: `oidc` (OpenID Connect) or `saml` (SAML 2.0).',
  })
  @IsIn(SSO_CONNECTION_TYPES)
  readonly type!: SsoConnectionType;

  @ApiPropertyOptional({ type: OidcSettingsDto, description: 'Required when `type` is `oidc`; must be left out otherwise.' })
  @forType('oidc')
  @IsObject()
  @ValidateNested()
  @Type(() => OidcSettingsDto)
  readonly oidc?: OidcSettingsDto;

  @ApiPropertyOptional({ type: SamlSettingsDto, description: 'Required when `type` is `saml`; must be left out otherwise.' })
  @forType('saml')
  @IsObject()
  @ValidateNested()
  @Type(() => SamlSettingsDto)
  readonly saml?: SamlSettingsDto;

  @ApiProperty({ example: true, description: 'Whether members can sign in through this connection.' })
  @IsBoolean()
  readonly enabled!: boolean;

  @ApiPropertyOptional({
    example: false,
    default: false,
    description: 'Members whose email is in a verified domain of this organization may sign in to it only through SSO.',
  })
  @OmittableNotNull()
  @IsBoolean()
  readonly enforced?: boolean;

  @ApiPropertyOptional({
    example: true,
    default: true,
    description: 'Whether a person the identity provider vouches for becomes a member at first sign-in.',
  })
  @OmittableNotNull()
  @IsBoolean()
  readonly jitProvisioning?: boolean;

  @ApiPropertyOptional({
    enum: SSO_GRANTABLE_ROLES,
    example: 'member',
    default: 'member',
    description: 'Role of a member created at sign-in when no mapping rule applies.',
  })
  @OmittableNotNull()
  @IsIn(SSO_GRANTABLE_ROLES)
  readonly defaultRole?: SsoGrantableRole;

  @ApiPropertyOptional({
    type: RoleMappingDto,
    nullable: true,
    description: 'Roles from an ID-token claim (OIDC) or an assertion attribute (SAML), applied at every sign-in; null: none.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RoleMappingDto)
  readonly roleMapping?: RoleMappingDto | null;
}

export class OidcSettingsView {
  @ApiProperty({ example: 'https://login.acme.example/realms/staff' })
  issuer!: string;

  @ApiProperty({ example: 'atrium' })
  clientId!: string;

  @ApiProperty({ example: ['openid', 'email', 'profile'] })
  scopes!: string[];

  @ApiProperty({ example: true, description: 'A client secret is stored (it is never returned).' })
  clientSecretSet!: boolean;

  @ApiProperty({
    example: 'https://api.atrium.example/v1/auth/sso/callback',
    description: 'Register this redirect URI at the identity provider.',
  })
  redirectUri!: string;
}

export class RoleMappingRuleView {
  @ApiProperty({ example: 'atrium-admins' })
  value!: string;

  @ApiProperty({ enum: SSO_GRANTABLE_ROLES, example: 'admin' })
  role!: SsoGrantableRole;
}

export class RoleMappingView {
  @ApiProperty({ example: 'groups' })
  claim!: string;

  @ApiProperty({ type: [RoleMappingRuleView] })
  rules!: RoleMappingRuleView[];
}

export class SsoConnectionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: SSO_CONNECTION_TYPES, example: 'oidc' })
  type!: SsoConnectionType;

  @ApiProperty({ type: OidcSettingsView, nullable: true, description: 'The OpenID Connect settings; null unless `type` is `oidc`.' })
  oidc!: OidcSettingsView | null;

  @ApiProperty({ type: SamlSettingsView, nullable: true, description: 'The SAML 2.0 settings; null unless `type` is `saml`.' })
  saml!: SamlSettingsView | null;

  @ApiProperty({ example: true })
  enabled!: boolean;

  @ApiProperty({ example: false })
  enforced!: boolean;

  @ApiProperty({ example: true })
  jitProvisioning!: boolean;

  @ApiProperty({ enum: SSO_GRANTABLE_ROLES, example: 'member' })
  defaultRole!: SsoGrantableRole;

  @ApiPropertyOptional({ type: RoleMappingView, nullable: true })
  roleMapping!: RoleMappingView | null;

  @ApiProperty({
    example: 'https://api.atrium.example/v1/auth/sso/start?organizationId=0193a3c2-7b1e-7cc0-8f00-123456789abd',
    description: 'Where members start signing in.',
  })
  signInUrl!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
