import { Controller, Get } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../../tenancy';
import { SIGNING_KEYS_DOCUMENT_PATH, Signer } from './signer.service';

export class SigningKeyView {
  @ApiProperty({
    example: '3f9a1c0b7e2d4a65',
    description: 'Named in every signature this key made: the first 16 hex digits of the fingerprint.',
  })
  keyId!: string;

  @ApiProperty({ enum: ['ed25519'] })
  algorithm!: 'ed25519';

  @ApiProperty({
    example: '3f9a1c0b7e2d4a65c1e0d8a6b2f4e7c9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
    description: 'SHA-256 of the public key’s SubjectPublicKeyInfo DER, hex: `openssl pkey -pubin -in key.pem -outform DER | sha256sum`.',
  })
  fingerprintSha256!: string;

  @ApiProperty({ example: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA…\n-----END PUBLIC KEY-----\n', description: 'SPKI PEM.' })
  publicKeyPem!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-27T04:00:00.000Z', description: 'When the key first signed.' })
  validFrom!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description: 'When another key took over; null for the key that signs now.',
  })
  retiredAt!: string | null;
}

export class SigningKeysDocument {
  @ApiProperty({ example: 'atrium', description: 'Who signs with these keys.' })
  issuer!: string;

  @ApiProperty({ type: [SigningKeyView], description: 'Every key that ever signed, oldest first.' })
  keys!: SigningKeyView[];
}

@ApiTags('Compliance')
@Controller()
export class SigningKeyController {
  constructor(private readonly signer: Signer) {}

  @Get('v1/compliance/signing-key')
  @Endpoint({
    operationId: 'getSigningKey',
    summary: 'The Ed25519 public key that verifies audit checkpoints, erasure certificates and reports',
    access: 'authenticated',
    ok: SigningKeyView,
  })
  get(): Promise<SigningKeyView> {
    return this.signer.publicKey();
  }

  /**
   * Public on purpose: an outside auditor holds a report, not a credential of the organization,
   * and must check its signature against a key they fetched independently. The document holds
   * public keys and dates only, the same for every caller.
   */
  @Get(SIGNING_KEYS_DOCUMENT_PATH.slice(1))
  @Endpoint({
    operationId: 'listSigningKeys',
    summary: 'Every Ed25519 key that ever signed a report, certificate or checkpoint, with fingerprint and validity',
    description:
      'Needs no credentials. A signature names its key id; the key with that id verifies it, and was valid from `validFrom` ' +
      'until `retiredAt`. The README explains how to verify a report with openssl alone.',
    access: 'public',
    ok: SigningKeysDocument,
  })
  async list(): Promise<SigningKeysDocument> {
    return { issuer: 'atrium', keys: await this.signer.publishedKeys() };
  }
}
