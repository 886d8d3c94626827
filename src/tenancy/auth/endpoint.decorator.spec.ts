import { Controller, Delete, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
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
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  DocumentBuilder,
  OpenAPIObject,
  OperationObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { ACCESS_EXTENSION, Authenticated, Public, ROUTE_ACCESS, RequirePermission } from './access.decorators';
import { Endpoint, EndpointOptions } from './endpoint.decorator';

class WidgetView {
  @ApiProperty({ example: 'Sprocket' })
  name!: string;
}

/** Every reflect-metadata entry on a method: what Nest's router, guards and @nestjs/swagger read from it. */
function metadataOf(handler: object): Record<string, unknown> {
  return Object.fromEntries(Reflect.getMetadataKeys(handler).map((key: unknown) => [String(key), Reflect.getMetadata(key, handler)]));
}

/** The metadata `@Endpoint(options)` leaves on a method, next to what `longhand` leaves. */
function compare(
  options: EndpointOptions,
  ...longhand: MethodDecorator[]
): { composite: Record<string, unknown>; spelled: Record<string, unknown> } {
  class Routes {
    composite(): void {}
    spelled(): void {}
  }
  const decorate = (decorators: MethodDecorator[], key: 'composite' | 'spelled') => {
    const descriptor = Object.getOwnPropertyDescriptor(Routes.prototype, key)!;
    // As TypeScript applies a stack of decorators: the one nearest the method first.
    for (const decorator of [...decorators].reverse()) decorator(Routes.prototype, key, descriptor);
  };
  decorate([Endpoint(options)], 'composite');
  decorate(longhand, 'spelled');
  return { composite: metadataOf(Routes.prototype.composite), spelled: metadataOf(Routes.prototype.spelled) };
}

describe('@Endpoint', () => {
  describe('sets exactly the metadata of the decorators it stands for', () => {
    it('a read with a permission, a body and a 404', () => {
      const { composite, spelled } = compare(
        {
          operationId: 'getWidget',
          summary: 'Get a widget',
          permission: 'contacts:read',
          ok: WidgetView,
          notFound: 'No such widget (`WIDGET_NOT_FOUND`).',
        },
        HttpCode(200),
        RequirePermission('contacts:read'),
        ApiOperation({ operationId: 'getWidget', summary: 'Get a widget' }),
        ApiOkResponse({ type: WidgetView }),
        ApiNotFoundResponse({ description: 'No such widget (`WIDGET_NOT_FOUND`).' }),
      );

      expect(composite).toEqual(spelled);
      expect(composite[ROUTE_ACCESS]).toEqual({ kind: 'permission', permission: 'contacts:read', sessionOnly: false });
    });

    it('a session-only delete with every write error', () => {
      const { composite, spelled } = compare(
        {
          operationId: 'deleteWidget',
          summary: 'Delete a widget',
          description: 'Its parts are kept.',
          permission: 'org:close',
          sessionOnly: true,
          noContent: true,
          notFound: 'No such widget.',
          conflict: 'A legal hold preserves it (`WIDGET_UNDER_LEGAL_HOLD`).',
          preconditionFailed: 'If-Match does not match the current version.',
          gone: 'Expired.',
        },
        HttpCode(204),
        RequirePermission('org:close', { sessionOnly: true }),
        ApiOperation({ operationId: 'deleteWidget', summary: 'Delete a widget', description: 'Its parts are kept.' }),
        ApiNoContentResponse(),
        ApiNotFoundResponse({ description: 'No such widget.' }),
        ApiConflictResponse({ description: 'A legal hold preserves it (`WIDGET_UNDER_LEGAL_HOLD`).' }),
        ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version.' }),
        ApiGoneResponse({ description: 'Expired.' }),
      );

      expect(composite).toEqual(spelled);
      expect(composite[ROUTE_ACCESS]).toEqual({ kind: 'permission', permission: 'org:close', sessionOnly: true });
    });

    it('an authenticated create whose own 403 text comes before the access rule’s', () => {
      const { composite, spelled } = compare(
        {
          operationId: 'createWidget',
          summary: 'Create a widget',
          access: 'authenticated',
          sessionOnly: true,
          beforeMfa: true,
          created: WidgetView,
          forbidden: 'Widgets are switched off (`WIDGETS_DISABLED`).',
          unprocessableEntity: 'No such part (`PART_NOT_FOUND`).',
        },
        HttpCode(201),
        Authenticated({ sessionOnly: true, beforeMfa: true }),
        ApiOperation({ operationId: 'createWidget', summary: 'Create a widget' }),
        ApiCreatedResponse({ type: WidgetView }),
        ApiForbiddenResponse({ description: 'Widgets are switched off (`WIDGETS_DISABLED`).' }),
        ApiUnprocessableEntityResponse({ description: 'No such part (`PART_NOT_FOUND`).' }),
      );

      expect(composite).toEqual(spelled);
      expect(composite[ROUTE_ACCESS]).toEqual({ kind: 'authenticated', sessionOnly: true, beforeMfa: true });
    });

    it('a public action answering 202 with a described body and the remaining errors', () => {
      const accepted = { description: 'Queued.', schema: { type: 'object', properties: { id: { type: 'string' } } } };
      const { composite, spelled } = compare(
        {
          operationId: 'rebuildWidgets',
          summary: 'Rebuild every widget',
          access: 'public',
          accepted,
          badRequest: 'Bad period.',
          unauthorized: 'Wrong signature (`SIGNATURE_INVALID`).',
          serviceUnavailable: 'The builder is away (`BUILDER_UNAVAILABLE`).',
        },
        HttpCode(202),
        Public(),
        ApiOperation({ operationId: 'rebuildWidgets', summary: 'Rebuild every widget' }),
        ApiAcceptedResponse({ ...accepted }),
        ApiBadRequestResponse({ description: 'Bad period.' }),
        ApiUnauthorizedResponse({ description: 'Wrong signature (`SIGNATURE_INVALID`).' }),
        ApiServiceUnavailableResponse({ description: 'The builder is away (`BUILDER_UNAVAILABLE`).' }),
      );

      expect(composite).toEqual(spelled);
      expect(composite[ROUTE_ACCESS]).toEqual({ kind: 'public' });
      // The caller's options are copied, not filled in by @nestjs/swagger.
      expect(accepted).toEqual({ description: 'Queued.', schema: { type: 'object', properties: { id: { type: 'string' } } } });
    });

    it('no success key: no status code of its own, the Swagger plugin documents the return type', () => {
      const { composite, spelled } = compare(
        { operationId: 'checkWidgets', summary: 'Check the widgets', access: 'authenticated' },
        Authenticated(),
        ApiOperation({ operationId: 'checkWidgets', summary: 'Check the widgets' }),
      );

      expect(composite).toEqual(spelled);
    });
  });

  it('refuses a route that names no access rule, when the types were bypassed', () => {
    const options = { operationId: 'getWidget', summary: 'Get a widget', ok: WidgetView } as unknown as EndpointOptions;

    expect(() => Endpoint(options)).toThrow(
      "@Endpoint({ operationId: 'getWidget' }) needs a permission or access: 'authenticated' | 'public'.",
    );
  });

  describe('in an application', () => {
    const NOT_FOUND = 'No such widget in this organization (`WIDGET_NOT_FOUND`).';
    const REUSED = 'The Idempotency-Key was used with a different request (`IDEMPOTENCY_KEY_REUSED`).';

    @ApiTags('Widgets')
    @Controller('spelled')
    class SpelledController {
      @Post(':id/archive')
      @HttpCode(200)
      @RequirePermission('contacts:write')
      @ApiUnprocessableEntityResponse({ description: REUSED })
      @ApiOperation({ operationId: 'archiveWidgetSpelled', summary: 'Archive a widget' })
      @ApiOkResponse({ type: WidgetView })
      @ApiNotFoundResponse({ description: NOT_FOUND })
      @ApiUnprocessableEntityResponse({ description: 'Already archived (`WIDGET_ARCHIVED`).' })
      archive(): WidgetView {
        return { name: 'Sprocket' };
      }

      @Delete(':id')
      @HttpCode(204)
      @RequirePermission('contacts:write', { sessionOnly: true })
      @ApiOperation({ operationId: 'deleteWidgetSpelled', summary: 'Delete a widget' })
      @ApiNoContentResponse()
      @ApiNotFoundResponse({ description: NOT_FOUND })
      remove(): void {}

      @Put(':id/rebuild')
      @HttpCode(202)
      @Public()
      @ApiOperation({ operationId: 'rebuildWidgetSpelled', summary: 'Rebuild a widget', description: 'In the background.' })
      @ApiAcceptedResponse({ type: WidgetView })
      rebuild(): WidgetView {
        return { name: 'Sprocket' };
      }

      @Patch(':id')
      @Authenticated()
      @ApiOperation({ operationId: 'touchWidgetSpelled', summary: 'Touch a widget' })
      @ApiCreatedResponse({ type: WidgetView })
      @HttpCode(201)
      touch(): WidgetView {
        return { name: 'Sprocket' };
      }

      @Get(':id')
      @Authenticated()
      @ApiOperation({ operationId: 'getWidgetSpelled', summary: 'Get a widget' })
      get(): WidgetView {
        return { name: 'Sprocket' };
      }
    }

    @ApiTags('Widgets')
    @Controller('composite')
    class CompositeController {
      @Post(':id/archive')
      @ApiUnprocessableEntityResponse({ description: REUSED })
      @Endpoint({
        operationId: 'archiveWidgetComposite',
        summary: 'Archive a widget',
        permission: 'contacts:write',
        ok: WidgetView,
        notFound: NOT_FOUND,
        unprocessableEntity: 'Already archived (`WIDGET_ARCHIVED`).',
      })
      archive(): WidgetView {
        return { name: 'Sprocket' };
      }

      @Delete(':id')
      @Endpoint({
        operationId: 'deleteWidgetComposite',
        summary: 'Delete a widget',
        permission: 'contacts:write',
        sessionOnly: true,
        noContent: true,
        notFound: NOT_FOUND,
      })
      remove(): void {}

      @Put(':id/rebuild')
      @Endpoint({
        operationId: 'rebuildWidgetComposite',
        summary: 'Rebuild a widget',
        description: 'In the background.',
        access: 'public',
        accepted: WidgetView,
      })
      rebuild(): WidgetView {
        return { name: 'Sprocket' };
      }

      @Patch(':id')
      @Endpoint({ operationId: 'touchWidgetComposite', summary: 'Touch a widget', access: 'authenticated', created: WidgetView })
      touch(): WidgetView {
        return { name: 'Sprocket' };
      }

      @Get(':id')
      @Endpoint({ operationId: 'getWidgetComposite', summary: 'Get a widget', access: 'authenticated' })
      get(): WidgetView {
        return { name: 'Sprocket' };
      }
    }

    let app: NestFastifyApplication;
    let document: OpenAPIObject;

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({ controllers: [SpelledController, CompositeController] }).compile();
      app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    });

    afterAll(() => app.close());

    const operation = (prefix: 'spelled' | 'composite', path: string, method: 'get' | 'post' | 'put' | 'patch' | 'delete') => {
      const found = document.paths[`/${prefix}${path}`]?.[method] as OperationObject | undefined;
      expect(found).toBeDefined();
      const { operationId, ...rest } = found!;
      return { operationId, rest };
    };

    it.each([
      ['/{id}/archive', 'post'],
      ['/{id}', 'delete'],
      ['/{id}/rebuild', 'put'],
      ['/{id}', 'patch'],
      ['/{id}', 'get'],
    ] as const)('documents %s %s as the spelled-out decorators do', (path, method) => {
      const spelled = operation('spelled', path, method);
      const composite = operation('composite', path, method);

      expect(composite.operationId).toBe(spelled.operationId!.replace('Spelled', 'Composite'));
      expect(composite.rest).toEqual(spelled.rest);
    });

    it('puts the route’s own words first where a decorator above it documents the same status', () => {
      const archive = operation('composite', '/{id}/archive', 'post').rest;

      expect(Object.keys(archive.responses).sort()).toEqual(['200', '401', '403', '404', '422']);
      expect(archive.responses['422']).toMatchObject({ description: `Already archived (\`WIDGET_ARCHIVED\`).\n\n${REUSED}` });
      expect((archive as Record<string, unknown>)[ACCESS_EXTENSION]).toEqual({ permission: 'contacts:write', sessionOnly: false });
    });

    it.each([
      ['POST', '/composite/1/archive', 200],
      ['DELETE', '/composite/1', 204],
      ['PUT', '/composite/1/rebuild', 202],
      ['PATCH', '/composite/1', 201],
      ['GET', '/composite/1', 200],
    ] as const)('answers %s %s with the status its success key names', async (method, url, status) => {
      const response = await app.inject({ method, url });

      expect(response.statusCode).toBe(status);
    });
  });
});
