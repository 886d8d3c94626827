import type { ReferenceObject, ResponseObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@app/http';
import { ProblemExample, STANDARD_ERRORS, errorHeaders, errorResponse, problemExample, ref } from './components';
import { DocumentedAccess, PathParam, singular } from './operations';

/** Which client errors an operation can answer, and their documentation: derived from the facts of the operation. */

export interface OperationFacts {
  readonly access: DocumentedAccess;
  readonly isV1: boolean;
  readonly hasPathParams: boolean;
  /** The last path parameter and the collection it names. */
  readonly pathParam?: PathParam;
  readonly hasQueryParams: boolean;
  readonly hasBody: boolean;
  readonly idempotent: boolean;
  readonly conditional: boolean;
}

export function requiredErrors(facts: OperationFacts): Set<number> {
  const statuses = new Set<number>();
  if (facts.access.kind !== 'public') statuses.add(401);
  if (facts.access.kind === 'authenticated' && (facts.access.permission || facts.access.sessionOnly)) statuses.add(403);
  if (facts.hasPathParams) statuses.add(400).add(404);
  if (facts.hasQueryParams) statuses.add(400);
  if (facts.hasBody) statuses.add(400).add(413).add(415);
  if (facts.idempotent) statuses.add(422);
  if (facts.conditional) statuses.add(412);
  if (facts.isV1) statuses.add(429);
  return statuses;
}

/** A standard error the controller did not declare; written out where the example can name the operation's own code or detail. */
export function missingErrorResponse(status: number, facts: OperationFacts): ResponseObject | ReferenceObject {
  const standard = STANDARD_ERRORS[status];
  return TAILORED.has(status) ? errorResponse(status, standard.description, errorExample(status, facts)) : ref.response(standard.name);
}

const TAILORED = new Set([400, 403, 404]);

export /** A declared error keeps its description; it gains the problem schema, an example and the standard headers. */
function completeErrorResponse(status: number, response: ResponseObject, facts: OperationFacts): void {
  const standard = STANDARD_ERRORS[status];
  if (!response.description && standard) response.description = standard.description;
  response.headers = { ...errorHeaders(status), ...response.headers };
  if (response.content?.[PROBLEM_CONTENT_TYPE]) return;
  const declaredCode = /`([A-Z][A-Z0-9_]+)`/.exec(response.description)?.[1];
  const example = errorExample(status, facts);
  response.content = {
    [PROBLEM_CONTENT_TYPE]: {
      schema: ref.schema('Problem'),
      example: problemExample(status, declaredCode ? { ...example, code: declaredCode, detail: undefined } : example),
    },
  };
}

/** The example problem of `status` for this operation, as close to what it answers as the document tells. */
function errorExample(status: number, facts: OperationFacts): ProblemExample {
  const code = STANDARD_ERRORS[status]?.code ?? 'CLIENT_ERROR';
  switch (status) {
    case 400:
      return facts.hasBody || !facts.pathParam
        ? { code, errors: [{ field: 'email', message: 'email must be an email' }] }
        : { code, errors: [{ field: facts.pathParam.name, message: `${facts.pathParam.name} must be a UUID` }] };
    case 403:
      if (facts.access.kind !== 'authenticated') return { code };
      if (facts.access.permission) return { code, detail: `This needs the ${facts.access.permission} permission.` };
      return { code, detail: 'This route needs a user session; API keys cannot use it.' };
    case 404:
      // Not-found codes name the resource: CONTACT_NOT_FOUND for /v1/contacts/{id}.
      return facts.pathParam
        ? {
            code: `${snakeCase(singular(facts.pathParam.owner))}_NOT_FOUND`,
            detail: `No such ${singular(facts.pathParam.owner).replace(/-/g, ' ')}.`,
          }
        : { code };
    default:
      return { code };
  }
}

function snakeCase(kebab: string): string {
  return kebab.replace(/[-\s]+/g, '_').toUpperCase();
}
