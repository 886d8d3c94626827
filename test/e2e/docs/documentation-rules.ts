/**
 * What "documented well enough to call it without reading our code" means, checked operation by
 * operation on an OpenAPI document. Derived from the document's own facts (access extension, path
 * parameters, body, headers), independently of how src/docs fills them in, so a gap shows here
 * whichever way it arises. Returns one line per problem, naming the operation.
 */

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  info: { version: string; description?: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Json>>;
  components: Record<string, Record<string, Json>>;
  tags?: { name: string; description?: string }[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const PROBLEM = 'application/problem+json';

export function resolve(document: OpenApiDocument, value: unknown): Json | undefined {
  let current = value as Json | undefined;
  for (let hops = 0; typeof current?.$ref === 'string' && hops < 10; hops++) {
    current = (current.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json | undefined>((node, key) => node?.[key] as Json | undefined, document as unknown as Json);
  }
  return current;
}

const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const refName = (value: unknown): string | undefined => (value as { $ref?: string } | undefined)?.$ref?.split('/').pop();
/** `Problem`, directly or narrowed to an operation's codes (`allOf: [Problem, { code: enum }]`). */
const problemRef = (value: unknown): string | undefined => refName(value) ?? refName(asArray((value as Json | undefined)?.allOf)[0]);
const problemCodes = (value: unknown): string[] | undefined =>
  ((asArray((value as Json | undefined)?.allOf)[1]?.properties as Json | undefined)?.code as Json | undefined)?.enum as
    string[] | undefined;

/** Problems of the document as a whole: the shared components and the prose. */
export function documentProblems(document: OpenApiDocument, packageVersion: string): string[] {
  const problems: string[] = [];
  if (document.info.version !== packageVersion)
    problems.push(`info.version is ${document.info.version}, package.json says ${packageVersion}`);
  if (!/Quick start/.test(document.info.description ?? '') || !/Authorization: Bearer/.test(document.info.description ?? '')) {
    problems.push('info.description lacks the auth quick start');
  }
  const bearer = document.components.securitySchemes?.bearer as Json | undefined;
  if (bearer?.type !== 'http' || bearer.scheme !== 'bearer') problems.push('no http bearer security scheme named "bearer"');
  if (
    !/session token/i.test(String(bearer?.description)) ||
    !/API key/.test(String(bearer?.description)) ||
    !/atr_/.test(String(bearer?.description))
  ) {
    problems.push('the bearer scheme does not describe both session tokens and atr_ API keys');
  }
  const problem = document.components.schemas?.Problem as { required?: string[]; properties?: Json } | undefined;
  for (const field of ['type', 'title', 'status', 'detail', 'code', 'requestId']) {
    if (!problem?.required?.includes(field)) problems.push(`schema Problem does not require ${field}`);
  }
  for (const field of ['requestId', 'errors']) if (!problem?.properties?.[field]) problems.push(`schema Problem lacks ${field}`);
  for (const header of [
    'ETag',
    'RateLimit-Limit',
    'RateLimit-Remaining',
    'RateLimit-Reset',
    'Retry-After',
    'X-Request-Id',
    'Idempotent-Replayed',
  ]) {
    if (!document.components.headers?.[header]) problems.push(`no header component ${header}`);
  }
  for (const parameter of ['PageLimit', 'PageCursor', 'IdempotencyKey', 'IfMatch', 'IfNoneMatch']) {
    if (!document.components.parameters?.[parameter]) problems.push(`no parameter component ${parameter}`);
  }
  for (const tag of document.tags ?? []) if (!tag.description) problems.push(`tag ${tag.name} has no description`);
  const server = document.servers?.[0]?.url ?? '';
  if (!/^https?:\/\/[^/]/.test(server)) problems.push(`servers[0] is not an absolute URL: ${server}`);
  else if (!(document.info.description ?? '').includes(server)) problems.push('the quick start does not use the server URL');
  return problems;
}

/** Problems of each operation; empty when every operation carries every item. */
export function operationProblems(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  const tags = new Set((document.tags ?? []).map((tag) => tag.name));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS.filter((name) => item[name])) {
      const op = item[method];
      const label = `${String(op.operationId ?? '<no operationId>')} (${method.toUpperCase()} ${path})`;
      const report = (what: string) => problems.push(`${label}: ${what}`);
      if (typeof op.operationId !== 'string' || !op.operationId) report('no operationId');
      else if (/Controller_/.test(op.operationId)) report('operationId is generated, not chosen');
      else ids.set(op.operationId, (ids.get(op.operationId) ?? 0) + 1);
      if (typeof op.summary !== 'string' || !op.summary.trim()) report('no summary');
      if (asArray(op.tags).length === 0) report('no tag');
      for (const tag of asArray(op.tags) as unknown as string[]) if (!tags.has(tag)) report(`tag ${tag} is not declared in tags`);
      checkOperation(document, path, method, op, report);
    }
  }
  for (const [id, count] of ids) if (count > 1) problems.push(`${id}: operationId used by ${count} operations`);
  return problems;
}

function checkOperation(document: OpenApiDocument, path: string, method: string, op: Json, report: (what: string) => void): void {
  const access = op['x-atrium-access'] as { public?: boolean; sessionOnly?: boolean; permission?: string } | undefined;
  const isV1 = path.startsWith('/v1/');
  const params = asArray(op.parameters).map((raw) => ({ raw, param: resolve(document, raw) ?? {} }));
  const named = (location: string, name: string) =>
    params.find(({ param }) => param.in === location && String(param.name).toLowerCase() === name.toLowerCase());
  const responses = (op.responses ?? {}) as Json;

  // Security requirement and access.
  if (!access) report('no x-atrium-access');
  if (!Array.isArray(op.security)) report('no security requirement');
  else if (access?.public && op.security.length > 0) report('public, but security requires credentials');
  else if (access && !access.public && !asArray(op.security).some((requirement) => 'bearer' in requirement))
    report('security does not require the bearer scheme');

  // Request: a JSON schema and an example holding every required property.
  const body = resolve(document, op.requestBody);
  if (body) {
    const media = (body.content as Json | undefined)?.['application/json'] as Json | undefined;
    if (!media?.schema) report('request body without a JSON schema');
    const example = media?.example ?? Object.values((media?.examples as Json | undefined) ?? {}).map((entry) => (entry as Json).value)[0];
    if (example === undefined) report('request body without an example');
    const bodySchema = resolve(document, media?.schema);
    for (const variant of bodySchema?.oneOf ? asArray(bodySchema.oneOf).map((part) => resolve(document, part)) : [bodySchema])
      if (variant?.additionalProperties !== false)
        report('request body schema does not refuse unknown fields (additionalProperties: false)');
    const required = (resolve(document, media?.schema)?.required as string[] | undefined) ?? [];
    for (const field of required) if (example && !(field in (example as Json))) report(`request example lacks required ${field}`);
  }

  // "Try it out" fills a parameter with its example: an optional filter must not have one.
  for (const { param } of params)
    if (
      param.in === 'query' &&
      !param.required &&
      (param.example !== undefined || (param.schema as Json | undefined)?.example !== undefined)
    )
      report(`optional query parameter ${String(param.name)} has an example`);

  // Success response with a schema.
  const success = Object.keys(responses).filter((status) => /^2\d\d$/.test(status));
  if (success.length === 0) report('no 2xx response');
  for (const status of success.filter((code) => code !== '204')) {
    const content = (resolve(document, responses[status])?.content ?? {}) as Record<string, Json>;
    if (!Object.values(content).some((media) => media.schema)) report(`${status} response without a schema`);
  }

  // The errors that apply, each as problem+json with an example of its status.
  const expected = new Set<number>();
  if (access && !access.public) expected.add(401);
  if (access && (access.permission || access.sessionOnly)) expected.add(403);
  if (params.some(({ param }) => param.in === 'path')) expected.add(400).add(404);
  if (params.some(({ param }) => param.in === 'query') || body) expected.add(400);
  if (named('header', 'Idempotency-Key')) expected.add(422);
  if (named('header', 'If-Match')) expected.add(412);
  if (isV1) expected.add(429).add(503);
  expected.add(500);
  for (const status of expected) if (!responses[status]) report(`no ${status} response`);
  for (const status of Object.keys(responses).filter(
    (code) => /^[45]\d\d$/.test(code) && !(path.startsWith('/health/') && code === '503'),
  )) {
    const response = resolve(document, responses[status]);
    const media = (response?.content as Json | undefined)?.[PROBLEM] as Json | undefined;
    if (problemRef(media?.schema) !== 'Problem') report(`${status} response is not ${PROBLEM} with the Problem schema`);
    const codes = problemCodes(media?.schema);
    if (codes && !codes.includes(String((media?.example as Json | undefined)?.code)))
      report(`${status} response example code is not one of its codes`);
    const example = media?.example as { status?: unknown; code?: unknown } | undefined;
    if (example?.status !== Number(status) || typeof example.code !== 'string')
      report(`${status} response without a matching problem example`);
    if (!response?.description) report(`${status} response without a description`);
  }
  for (const status of ['429', '503'])
    if (expected.has(Number(status)) && !(resolve(document, responses[status])?.headers as Json | undefined)?.['Retry-After'])
      report(`${status} without Retry-After`);

  // Conventions: rate-limit headers, ETags, idempotency, pagination.
  const successHeaders = (resolve(document, responses[success[0]])?.headers ?? {}) as Json;
  if (isV1)
    for (const header of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'])
      if (!successHeaders[header]) report(`success without ${header}`);
  // A download (an attachment) is sent as stored: no ETag, no 304.
  const download = Boolean(successHeaders['Content-Disposition']);
  if (download && (successHeaders.ETag || responses['304'])) report('download documents an ETag or 304 it never sends');
  if (isV1 && method === 'get' && !download) {
    if (refName(successHeaders.ETag) !== 'ETag') report('GET success without the ETag header component');
    if (refName(named('header', 'If-None-Match')?.raw) !== 'IfNoneMatch') report('GET without the If-None-Match parameter component');
    if (!responses['304']) report('GET without 304');
  }
  if (named('header', 'Idempotency-Key')) {
    if (refName(named('header', 'Idempotency-Key')?.raw) !== 'IdempotencyKey') report('Idempotency-Key is not the parameter component');
    if (!successHeaders['Idempotent-Replayed']) report('idempotent, but the success does not document Idempotent-Replayed');
  }
  if (named('header', 'If-Match') && refName(named('header', 'If-Match')?.raw) !== 'IfMatch')
    report('If-Match is not the parameter component');
  const page = resolve(
    document,
    ((resolve(document, responses['200'])?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema,
  );
  const pageProperties = page?.properties as Json | undefined;
  if (method === 'get' && pageProperties?.nextCursor && resolve(document, pageProperties.data)?.type === 'array') {
    if (refName(named('query', 'limit')?.raw) !== 'PageLimit') report('list without the PageLimit parameter component');
    if (refName(named('query', 'cursor')?.raw) !== 'PageCursor') report('list without the PageCursor parameter component');
    if ((resolve(document, pageProperties.nextCursor) as Json).nullable !== true) report('nextCursor is not documented as nullable');
  }
}
