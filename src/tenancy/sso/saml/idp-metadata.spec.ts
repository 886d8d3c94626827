import { readIdpMetadata, summarizeCertificate } from './idp-metadata';

// A self-signed certificate (CN=idp.test.example), public material only: its key was thrown away.
const CERT =
  'MIIDGTCCAgGgAwIBAgIUAS/2MqPaiIISyBdtM5QjkiS9rFkwDQYJKoZIhvcNAQELBQAwGzEZMBcGA1UEAwwQaWRwLnRlc3QuZXhh' +
  'bXBsZTAgFw0yNjEyMDYwNDAzMDNaGA8yMTI2MTExMjA0MDMwM1owGzEZMBcGA1UEAwwQaWRwLnRlc3QuZXhhbXBsZTCCASIwDQYJ' +
  'KoZIhvcNAQEBBQADggEPADCCAQoCggEBAORJX+2FIdy+0tckNGvGpNx0w3gyjmD83lg/rCzcju03i6MeS9IjAsBoFwlNEf5YPECn' +
  'JKvf37FuYugKDR0c7p1RW2kdWreGdwGsSsmfPrcSl/KwZbccrwYVP/wusHseJrmLIrbxJJ8+mhsdWs0lKxtmxDJVE6+82cygaZqi' +
  'UPMyCsrSjbapCsGOWnNKrBfc+byiGPqOwYo1v5Z5uzNxhfmLU01HbwnlozA59TnsSoj14IOA6vYzWIz/Lp4KoMFbW9d8L5noVVU1' +
  'FVx8sl/koa5xGEr6ODFAkIpKWK2XRiTCd16YoS6e5amFq8lSLoW7T9wazePpTw8t/S8+UYYwtJkCAwEAAaNTMFEwHQYDVR0OBBYE' +
  'FG6fydpwJTPhIV8PIroL+QvqCHUAMB8GA1UdIwQYMBaAFG6fydpwJTPhIV8PIroL+QvqCHUAMA8GA1UdEwEB/wQFMAMBAf8wDQYJ' +
  'KoZIhvcNAQELBQADggEBALAslkE9rGhQR746jTuuXDVPgkA1Rfo0G47HF2ZiOM9+NppZ7U57aDpaKkPkdeChAlC+oP3PLXn8lfqL' +
  '79I5mo54oJjNTMXKBwdcJtKK/PLYdZI6nTHGHTYPV54hBMp8p1t5x8SFLpQkyGEthQm1rG5SgKEeXVfTCQR0z8BT1t6f0p+hr0w9' +
  'O+KGTIcjRNBtBmXyzKVviWa7YJiDALgK7QI+5hPlbEeOh3vttBgMoT0fl/otUsrtN5qqx3FpsxiiyHiP8LaS69FF2fDPby1K49nx' +
  'wR5+mkARCHwTNZbhSd/GJYj3GPFVgYXbuqUZJZjEX/nfXad3x22zmYiQ1JtFHlI=';
const FINGERPRINT = '38:25:1C:F9:4B:75:8A:1D:B6:2F:BA:59:62:8A:14:CD:4F:7E:93:0A:C1:B0:A3:01:6F:2F:CA:9F:BC:83:79:C9';

function metadata({ sso = 'https://idp.example/sso', cert = CERT, wantSigned = 'false', binding = 'HTTP-Redirect' } = {}): string {
  return (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/saml">' +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="${wantSigned}" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    (cert
      ? '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>' +
        `<ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
      : '') +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${sso}"/>` +
    '</md:IDPSSODescriptor></md:EntityDescriptor>'
  );
}

const reason = (xml: string, allowHttp = false): string => {
  try {
    readIdpMetadata(xml, allowHttp);
  } catch (error) {
    return (error as { options: { errors: { message: string }[] } }).options.errors[0].message;
  }
  return 'accepted';
};

describe('IdP metadata', () => {
  it("reads the entity id, the HTTP-Redirect SSO URL and the signing certificates", () => {
    expect(readIdpMetadata(metadata(), false)).toEqual({
      entityId: 'https://idp.example/saml',
      ssoUrl: 'https://idp.example/sso',
      signingCertificates: [CERT],
    });
    expect(summarizeCertificate(CERT)).toEqual({ subject: 'CN=idp.test.example', notAfter: expect.any(String), sha256Fingerprint: FINGERPRINT });
  });

  it('refuses what a sign-in could not use, saying why', () => {
    expect(reason('not xml')).toMatch(/IDPSSODescriptor/);
    expect(reason(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${metadata()}`)).toMatch(/DOCTYPE/);
    expect(reason(metadata({ cert: '' }))).toMatch(/no signing certificate/);
    expect(reason(metadata({ cert: 'bm90IGEgY2VydA==' }))).toMatch(/not a valid X.509/);
    expect(reason(metadata({ binding: 'HTTP-POST' }))).toMatch(/HTTP-Redirect/);
    expect(reason(metadata({ wantSigned: 'true' }))).toMatch(/WantAuthnRequestsSigned/);
    expect(reason(metadata({ sso: 'http://idp.example/sso' }))).toMatch(/https/);
    expect(reason(metadata({ sso: 'http://127.0.0.1:8080/sso' }), true)).toBe('accepted');
    expect(reason(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${metadata()}${metadata()}</md:EntitiesDescriptor>`)).toMatch(
      /one entity/,
    );
  });
});
