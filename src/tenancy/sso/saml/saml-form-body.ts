import type { FastifyInstance } from 'fastify';
import { AppError } from '@app/http';

export const SAML_FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
const ACS_PATH = '/v1/auth/sso/saml/acs';

/**
 * The SAML HTTP-POST binding is an HTML form the browser submits: the assertion consumer service
 * takes `application/x-www-form-urlencoded`, and it alone (every other route stays JSON only).
 * Call after registerJsonBodyParser (which removes every other parser).
 */
export function registerSamlFormBody(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(SAML_FORM_CONTENT_TYPE, { parseAs: 'string' }, (request, body, done) => {
    if (request.url.split('?')[0] !== ACS_PATH) {
      done(new AppError('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.'), undefined);
      return;
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(body as string)) {
      if (Object.hasOwn(fields, name)) {
        done(new AppError('validation', 'VALIDATION_FAILED', `The form field ${name.slice(0, 40)} is repeated.`), undefined);
        return;
      }
      fields[name] = value;
    }
    done(null, fields);
  });
}
