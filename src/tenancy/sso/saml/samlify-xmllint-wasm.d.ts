// The package ships JavaScript only; its one export, as samlify's setSchemaValidator takes it.
declare module '@authenio/samlify-xmllint-wasm' {
  export function validate(xml: string): Promise<unknown>;
}
