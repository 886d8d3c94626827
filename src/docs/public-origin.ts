import type { AppConfig } from '../config';

/**
 * The absolute URL the document's `servers` entry and the quick start name: `PUBLIC_URL` when set
 * (behind a proxy only the operator knows it), else the origin the server listens on, with a
 * wildcard interface (0.0.0.0, ::) written as the loopback address a local client would use.
 */
export function publicOrigin(http: AppConfig['http'], listeningPort?: number): string {
  if (http.publicUrl) return http.publicUrl;
  const host = ['0.0.0.0', '::', ''].includes(http.host) ? '127.0.0.1' : http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${listeningPort ?? http.port}`;
}
