import {
  OIDC_BROWSER_BINDING,
  SAML_BROWSER_BINDING,
  bindingCookieHeader,
  bindingOf,
  clearedBindingCookieHeader,
  newBrowserBinding,
  sameBrowser,
} from './browser-binding';

describe('browser binding', () => {
  it('sets a __Host- cookie: Secure, HttpOnly, Path=/, no Domain, with the SameSite of its protocol', () => {
    const { value } = newBrowserBinding();
    expect(bindingCookieHeader(OIDC_BROWSER_BINDING, value, 600)).toBe(
      `__Host-atrium-sso=${value}; Max-Age=600; Path=/; Secure; HttpOnly; SameSite=Lax`,
    );
    expect(bindingCookieHeader(SAML_BROWSER_BINDING, value, 600)).toMatch(/^__Host-atrium-sso-saml=.*; SameSite=None$/);
    expect(clearedBindingCookieHeader(OIDC_BROWSER_BINDING)).toBe('__Host-atrium-sso=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax');
    expect(bindingCookieHeader(OIDC_BROWSER_BINDING, value, 600)).not.toMatch(/Domain/i);
  });

  it('reads its own cookie among others, and nothing malformed', () => {
    const { value } = newBrowserBinding();
    expect(bindingOf(OIDC_BROWSER_BINDING, `a=b; __Host-atrium-sso=${value}; c=d`)).toBe(value);
    expect(bindingOf(OIDC_BROWSER_BINDING, `__Host-atrium-sso-saml=${value}`)).toBeNull();
    expect(bindingOf(OIDC_BROWSER_BINDING, '__Host-atrium-sso=short')).toBeNull();
    expect(bindingOf(OIDC_BROWSER_BINDING, undefined)).toBeNull();
  });

  it('matches the value against the kept hash only', () => {
    const binding = newBrowserBinding();
    expect(binding.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sameBrowser(binding.hash, binding.value)).toBe(true);
    expect(sameBrowser(binding.hash, newBrowserBinding().value)).toBe(false);
    expect(sameBrowser(binding.hash, null)).toBe(false);
    expect(sameBrowser(undefined, binding.value)).toBe(false);
    expect(sameBrowser('abcd', binding.value)).toBe(false);
  });
});
