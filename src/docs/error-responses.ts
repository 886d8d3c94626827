import type { ReferenceObject, ResponseObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@app/http';
import { ProblemExample, STANDARD_ERRORS, errorHeaders, errorResponse, problemExample, problemSchema, ref } from './components';
import { OperationFacts, singular } from './operations';
import { OPERATION_CODES, notFoundCode, problemCodes, sharedCodes } from './problem-codes';

/** Which client errors an operation can answer, and their documentation: derived from the facts of the operation. */

export function requiredErrors(facts: OperationFacts): Set<number> {
  const statuses = new Set<number>();
  if (facts.access.kind !== 'public') statuses.add(401);
  // Any route but those open before MFA answers 403 MFA_ENROLMENT_REQUIRED to a session an MFA-requiring org holds back.
  if (facts.access.kind === 'authenticated' && (facts.access.permission || facts.access.sessionOnly || !facts.access.beforeMfa))
    statuses.add(403);
  if (facts.hasPathParams) statuses.add(400).add(404);
  if (facts.hasQueryParams) statuses.add(400);
  if (facts.hasBody) statuses.add(400).add(413).add(415);
  if (facts.idempotent) statuses.add(422);
  if (facts.conditional) statuses.add(412);
  if (facts.isV1) statuses.add(429).add(503);
  statuses.add(500);
  for (const status of Object.keys((facts.operationId && OPERATION_CODES[facts.operationId]) || {})) statuses.add(Number(status));
  return statuses;
}

/** A standard error the controller did not declare; written out where the example can name the operation's own code or detail. */
export function missingErrorResponse(status: number, facts: OperationFacts): ResponseObject | ReferenceObject {
  const standard = STANDARD_ERRORS[status];
  const description = standard?.description ?? 'The request failed.';
  const codes = problemCodes(status, facts, facts.operationId, description);
  const shared = standard && facts.isV1 && !TAILORED.has(status) && codes.join() === sharedCodes(status).join();
  if (shared) return ref.response(standard.name);
  const example = errorExample(status, facts);
  return errorResponse(status, description, codes.includes(example.code) ? example : { code: codes[0] }, codes, facts.isV1);
}

const TAILORED = new Set([400, 403, 404]);

export /** A declared error keeps its description; it gains the problem schema, an example and the standard headers. */
function completeErrorResponse(status: number, response: ResponseObject, facts: OperationFacts): void {
  const standard = STANDARD_ERRORS[status];
  if (!response.description && standard) response.description = standard.description;
  response.headers = { ...errorHeaders(status, facts.isV1), ...response.headers };
  if (response.content?.[PROBLEM_CONTENT_TYPE]) return;
  const codes = problemCodes(status, facts, facts.operationId, response.description);
  const declaredCode = /`([A-Z][A-Z0-9_]+)`/.exec(response.description)?.[1];
  const example = errorExample(status, facts);
  const chosen = declaredCode ? { ...example, code: declaredCode, detail: undefined } : example;
  response.content = {
    [PROBLEM_CONTENT_TYPE]: {
      schema: problemSchema(codes),
      example: problemExample(status, codes.includes(chosen.code) ? chosen : { code: codes[0] }),
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
      if (!facts.access.sessionOnly) return { code: 'MFA_ENROLMENT_REQUIRED' };
      return { code, detail: 'This route needs a user session; API keys cannot use it.' };
    case 404:
      // Not-found codes name the resource: CONTACT_NOT_FOUND for /v1/contacts/{id}.
      return facts.pathParam
        ? { code: notFoundCode(facts.pathParam.owner), detail: `No such ${singular(facts.pathParam.owner).replace(/-/g, ' ')}.` }
        : { code };
    default:
      return { code };
  }
}
