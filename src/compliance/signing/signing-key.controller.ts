import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../tenancy';
import { Signer } from './signer';

export class SigningKeyView {
  @ApiProperty({ example: '3f9a1c0b7e2d4a65', description: 'Named in every signature this key made.' })
  keyId!: string;

  @ApiProperty({ enum: ['ed25519'] })
  algorithm!: 'ed25519';

  @ApiProperty({ example: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA…\n-----END PUBLIC KEY-----\n', description: 'SPKI PEM.' })
  publicKeyPem!: string;
}

@ApiTags('Compliance')
@Controller('v1/compliance/signing-key')
export class SigningKeyController {
  constructor(private readonly signer: Signer) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    operationId: 'getSigningKey',
    summary: 'The Ed25519 public key that verifies audit checkpoints, erasure certificates and reports',
  })
  @ApiOkResponse({ type: SigningKeyView })
  get(): Promise<SigningKeyView> {
    return this.signer.publicKey();
  }
}
