import { HttpCode, Type, applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiResponseNoStatusOptions,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Permission } from '../permissions';
import { Authenticated, Public, RequirePermission } from './access.decorators';

/**
 * Who may call the route: a `permission` (`@RequirePermission`), or `access: 'authenticated'`
 * (`@Authenticated`: any signed-in caller of the org) or `access: 'public'` (`@Public`).
 * `sessionOnly` (permission, authenticated) refuses API keys; `beforeMfa` (authenticated) lets in
 * a session that still has to enrol in MFA. The options are those of the access decorators.
 */
export type EndpointAccess =
  | ({ readonly permission: Permission; readonly access?: never } & NonNullable<Parameters<typeof RequirePermission>[1]>)
  | ({ readonly access: 'authenticated'; readonly permission?: never } & NonNullable<Parameters<typeof Authenticated>[0]>)
  | { readonly access: 'public'; readonly permission?: never };

/** A success body: its class, or the options of `@ApiOkResponse()` and its siblings (description, schema, headers). */
export type EndpointBody = Type<unknown> | ApiResponseNoStatusOptions;

/**
 * How the route succeeds, at most one of: `ok` (200), `created` (201), `accepted` (202),
 * `noContent: true` (204). Each sets the status code the route answers (`@HttpCode`) and documents
 * it. With none, the status is the framework's default for the verb and the Swagger plugin
 * documents the handler's return type.
 */
export type EndpointSuccess =
  | { readonly ok: EndpointBody; readonly created?: never; readonly accepted?: never; readonly noContent?: never }
  | { readonly created: EndpointBody; readonly ok?: never; readonly accepted?: never; readonly noContent?: never }
  | { readonly accepted: EndpointBody; readonly ok?: never; readonly created?: never; readonly noContent?: never }
  | { readonly noContent: true; readonly ok?: never; readonly created?: never; readonly accepted?: never }
  | { readonly ok?: never; readonly created?: never; readonly accepted?: never; readonly noContent?: never };

/**
 * The error answers this route adds to the ones every route has (validation, rate limit, the
 * access rule's 401 and 403), each as its description; name the stable `code` in backticks, the
 * docs list it in the response's code enum. A `forbidden` or `unauthorized` text goes before the
 * access rule's own text for the same status.
 */
export interface EndpointErrors {
  readonly badRequest?: string;
  readonly unauthorized?: string;
  readonly forbidden?: string;
  readonly notFound?: string;
  readonly conflict?: string;
  readonly gone?: string;
  readonly preconditionFailed?: string;
  readonly unprocessableEntity?: string;
  readonly serviceUnavailable?: string;
}

export type EndpointOptions = {
  /** The OpenAPI operation id: unique, camelCase, stable (client generators name methods after it). */
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
} & EndpointAccess &
  EndpointSuccess &
  EndpointErrors;

const ERROR_RESPONSES: readonly [keyof EndpointErrors, (options: ApiResponseNoStatusOptions) => MethodDecorator][] = [
  ['badRequest', ApiBadRequestResponse],
  ['unauthorized', ApiUnauthorizedResponse],
  ['forbidden', ApiForbiddenResponse],
  ['notFound', ApiNotFoundResponse],
  ['conflict', ApiConflictResponse],
  ['gone', ApiGoneResponse],
  ['preconditionFailed', ApiPreconditionFailedResponse],
  ['unprocessableEntity', ApiUnprocessableEntityResponse],
  ['serviceUnavailable', ApiServiceUnavailableResponse],
];

/**
 * One route's contract in one decorator (STYLE.md 18): its OpenAPI operation, who may call it, the
 * status it answers and the errors it documents. It applies exactly the decorators it stands for
 * (`@ApiOperation`, `@RequirePermission`/`@Authenticated`/`@Public`, `@HttpCode`, `@ApiOkResponse`
 * and the error responses), so the guard and the OpenAPI document see what they saw before.
 *
 * Put it last, right above the handler: what the route adds on its own (`@Idempotent()`,
 * `@CachedResponse()`, `@IfMatchHeader()`, `@AuditedRead()`, `@ApiProduces()`, …) goes between the
 * verb and it. Decorators apply bottom-up, so where two document the same status (`@Idempotent()`'s
 * 422 and `unprocessableEntity`), the route's own words come first.
 *
 * ```ts
 * @Get(':id')
 * @Endpoint({
 *   operationId: 'getContact',
 *   summary: 'Get a contact',
 *   permission: 'contacts:read',
 *   ok: ContactView,
 *   notFound: 'No such contact in this organization (`CONTACT_NOT_FOUND`).',
 * })
 * get(@UuidParam('id') id: string): Promise<ContactView> { … }
 * ```
 */
export function Endpoint(options: EndpointOptions): MethodDecorator {
  return applyDecorators(
    ...ERROR_RESPONSES.flatMap(([key, decorator]) => {
      const description = options[key];
      return description === undefined ? [] : [decorator({ description })];
    }),
    ...successDecorators(options),
    ApiOperation({ operationId: options.operationId, summary: options.summary, description: options.description }),
    accessDecorator(options),
  );
}

function accessDecorator(options: EndpointOptions): MethodDecorator {
  const { operationId } = options;
  if (options.permission !== undefined) return RequirePermission(options.permission, { sessionOnly: options.sessionOnly });
  if (options.access === 'authenticated') return Authenticated({ sessionOnly: options.sessionOnly, beforeMfa: options.beforeMfa });
  if (options.access === 'public') return Public();
  // Only reachable around the types (a cast, plain JavaScript): fail at boot, not on the first request.
  throw new Error(`@Endpoint({ operationId: '${operationId}' }) needs a permission or access: 'authenticated' | 'public'.`);
}

function successDecorators(options: EndpointSuccess): MethodDecorator[] {
  const body = (value: EndpointBody): ApiResponseNoStatusOptions => (typeof value === 'function' ? { type: value } : { ...value });
  if (options.ok !== undefined) return [ApiOkResponse(body(options.ok)), HttpCode(200)];
  if (options.created !== undefined) return [ApiCreatedResponse(body(options.created)), HttpCode(201)];
  if (options.accepted !== undefined) return [ApiAcceptedResponse(body(options.accepted)), HttpCode(202)];
  if (options.noContent) return [ApiNoContentResponse(), HttpCode(204)];
  return [];
}
