export { SigningModule } from './signing.module';
export { PublishedKey, SIGNING_KEYS_DOCUMENT_PATH, Signature, Signer } from './signer.service';
