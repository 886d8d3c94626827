import { Module } from '@nestjs/common';
import { Signer } from './signer.service';
import { SigningKeyController } from './signing-key.controller';
import { SigningKeysRepository } from './signing-keys.repository';

/** The Ed25519 key everything Atrium vouches for is signed with, and its published public keys. */
@Module({
  controllers: [SigningKeyController],
  providers: [SigningKeysRepository, Signer],
  exports: [Signer],
})
export class SigningModule {}
