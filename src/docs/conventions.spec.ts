import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { applyApiConventions } from './conventions';
import { postmanItems, toPostmanCollection } from './postman';

/** The conventions step on routes that do not exist yet: what a new controller gets without asking. */

const page = {
  type: 'object',
  required: ['data', 'nextCursor'],
  properties: { data: { type: 'array', items: { $ref: '#/components/schemas/WidgetView' } }, nextCursor: { type: 'string' } },
};

function documentWith(paths: OpenAPIObject['paths']): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 'Test', version: '1.0.0' },
    paths,
    components: {
      schemas: {
        WidgetView: {
          type: 'object',
          properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string', example: 'Sprocket' } },
        },
        WidgetPage: page,
        CreateWidgetDto: {
          type: 'object',
          required: ['name', 'size'],
          properties: {
            name: { type: 'string', example: 'Sprocket' },
            size: { type: 'integer', minimum: 3 },
            ownerId: { type: 'string', format: 'uuid' },
          },
        },
      },
    },
  };
}

const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const statuses = (operation: OperationObject | undefined) => Object.keys(operation?.responses ?? {});

describe('applyApiConventions', () => {
  it('gives a permission route with a path id, a body and If-Match every applicable error, in status order', () => {
    const document = applyApiConventions(
      documentWith({
        '/v1/widgets/{id}': {
          put: {
            operationId: 'replaceWidget',
            summary: 'Replace a widget',
            tags: ['Widgets'],
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'if-match', in: 'header', schema: { type: 'string' } },
              { name: 'If-Match', in: 'header', description: 'Declared twice.', schema: { type: 'string' } },
            ],
            requestBody: { required: true, ...json('CreateWidgetDto') },
            responses: { '200': { description: '', ...json('WidgetView') } },
            'x-atrium-access': { permission: 'contacts:write', sessionOnly: false },
          } as OperationObject,
        },
      }),
    );
    const operation = document.paths['/v1/widgets/{id}'].put as OperationObject;

    expect(statuses(operation)).toEqual(['200', '400', '401', '403', '404', '412', '413', '415', '429', '500', '503']);
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(operation.parameters).toEqual([
      expect.objectContaining({ name: 'id', description: 'Id of the widget.', schema: { type: 'string', format: 'uuid' } }),
      { $ref: '#/components/parameters/IfMatch' },
    ]);
    expect(operation.description).toContain('`contacts:write` permission');
    const notFound = operation.responses['404'] as ResponseObject;
    expect(notFound.content?.['application/problem+json'].example).toEqual(
      expect.objectContaining({ status: 404, code: 'WIDGET_NOT_FOUND' }),
    );
    expect((operation.requestBody as { content: Record<string, { example: unknown }> }).content['application/json'].example).toEqual({
      name: 'Sprocket',
      size: 3,
    });
  });

  it('gives a public route no 401 or 403, and an empty security requirement', () => {
    const document = applyApiConventions(
      documentWith({
        '/v1/widgets/catalogue': {
          get: {
            operationId: 'widgetCatalogue',
            summary: 'The catalogue',
            tags: ['Widgets'],
            responses: { '200': { description: 'OK', ...json('WidgetView') } },
            'x-atrium-access': { public: true },
          } as OperationObject,
        },
      }),
    );
    const operation = document.paths['/v1/widgets/catalogue'].get as OperationObject;

    expect(statuses(operation)).toEqual(['200', '304', '429', '500', '503']);
    expect(operation.security).toEqual([]);
    expect((operation.responses['200'] as ResponseObject).headers).toEqual(
      expect.objectContaining({
        ETag: { $ref: '#/components/headers/ETag' },
        'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' },
      }),
    );
  });

  it('turns a list into the pagination components and documents nextCursor', () => {
    const document = applyApiConventions(
      documentWith({
        '/v1/widgets': {
          get: {
            operationId: 'listWidgets',
            summary: 'List widgets',
            tags: ['Widgets'],
            parameters: [
              { name: 'limit', in: 'query', schema: { type: 'integer' } },
              { name: 'cursor', in: 'query', schema: { type: 'string' } },
            ] as ParameterObject[],
            responses: { '200': { description: '', ...json('WidgetPage') } },
            'x-atrium-access': { sessionOnly: true },
          } as OperationObject,
        },
      }),
    );
    const operation = document.paths['/v1/widgets'].get as OperationObject;

    expect(operation.parameters).toEqual([
      { $ref: '#/components/parameters/PageLimit' },
      { $ref: '#/components/parameters/PageCursor' },
      { $ref: '#/components/parameters/IfNoneMatch' },
    ]);
    expect(statuses(operation)).toEqual(['200', '304', '400', '401', '403', '429', '500', '503']);
    expect(document.components?.schemas?.WidgetPage).toEqual(
      expect.objectContaining({ properties: expect.objectContaining({ nextCursor: expect.objectContaining({ nullable: true }) }) }),
    );
    expect(document.tags).toEqual([{ name: 'Widgets' }]);
  });

  it('keeps what a controller declared', () => {
    const document = applyApiConventions(
      documentWith({
        '/v1/widgets/{id}': {
          delete: {
            operationId: 'deleteWidget',
            summary: 'Delete a widget',
            tags: ['Widgets'],
            parameters: [{ name: 'id', in: 'path', required: true, description: 'The widget.', schema: { type: 'string' } }],
            responses: { '204': { description: 'Gone.' }, '404': { description: 'No such widget (`WIDGET_GONE`).' } },
            'x-atrium-access': { permission: 'contacts:write', sessionOnly: false },
          } as OperationObject,
        },
      }),
    );
    const operation = document.paths['/v1/widgets/{id}'].delete as OperationObject;
    const notFound = operation.responses['404'] as ResponseObject;

    expect((operation.parameters?.[0] as ParameterObject).description).toBe('The widget.');
    expect((operation.responses['204'] as ResponseObject).description).toBe('Gone.');
    expect(notFound.description).toBe('No such widget (`WIDGET_GONE`).');
    expect(notFound.content?.['application/problem+json'].example).toEqual(expect.objectContaining({ code: 'WIDGET_GONE' }));
  });

  it('makes a Postman request per operation, with the example body and the id as a variable', () => {
    const document = applyApiConventions(
      documentWith({
        '/v1/widgets/{id}': {
          put: {
            operationId: 'replaceWidget',
            summary: 'Replace a widget',
            tags: ['Widgets'],
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            requestBody: { required: true, ...json('CreateWidgetDto') },
            responses: { '200': { description: '', ...json('WidgetView') } },
            'x-atrium-access': { permission: 'contacts:write', sessionOnly: false },
          } as OperationObject,
        },
      }),
    );

    const collection = toPostmanCollection(JSON.parse(JSON.stringify(document)) as OpenAPIObject);

    expect(collection.item.map((folder) => folder.name)).toEqual(['Widgets']);
    const [request] = postmanItems(collection);
    expect(request.request.url.raw).toBe('{{baseUrl}}/v1/widgets/:id');
    expect(request.request.url.variable).toEqual([expect.objectContaining({ key: 'id', value: '{{widgetId}}' })]);
    expect(JSON.parse(request.request.body?.raw ?? '')).toEqual({ name: 'Sprocket', size: 3 });
    expect(collection.variable).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'widgetId' })]));
  });

  it('makes what strict validators read match the server: nullable references, closed bodies, code enums, no prefilled filters', () => {
    const base = documentWith({
      '/v1/widgets': {
        get: {
          operationId: 'listWidgets',
          summary: 'List widgets',
          tags: ['Widgets'],
          parameters: [{ name: 'name', in: 'query', required: false, schema: { type: 'string', example: 'Sprocket' } }],
          responses: { '200': { description: '', ...json('WidgetView') } },
          'x-atrium-access': { permission: 'contacts:read', sessionOnly: false },
        } as OperationObject,
        post: {
          operationId: 'createWidget',
          summary: 'Create a widget',
          tags: ['Widgets'],
          requestBody: { required: true, ...json('CreateWidgetDto') },
          responses: { '201': { description: '', ...json('WidgetView') }, '409': { description: 'Taken (`WIDGET_TAKEN`).' } },
          'x-atrium-access': { permission: 'contacts:write', sessionOnly: false },
        } as OperationObject,
      },
    });
    (base.components?.schemas?.WidgetView as { properties: Record<string, unknown> }).properties.owner = {
      nullable: true,
      allOf: [{ $ref: '#/components/schemas/WidgetView' }],
    };
    const document = applyApiConventions(base, 'https://api.example.com');
    const list = document.paths['/v1/widgets'].get as OperationObject;
    const create = document.paths['/v1/widgets'].post as OperationObject;
    const problem = (operation: OperationObject, status: string) =>
      (operation.responses[status] as ResponseObject).content?.['application/problem+json'].schema;

    expect(document.servers).toEqual([{ url: 'https://api.example.com', description: 'This server' }]);
    expect((document.components?.schemas?.WidgetView as { properties: Record<string, unknown> }).properties.owner).toEqual({
      oneOf: [{ $ref: '#/components/schemas/WidgetView' }, { type: 'object', nullable: true, enum: [null], description: 'null' }],
    });
    expect(document.components?.schemas?.CreateWidgetDto).toEqual(expect.objectContaining({ additionalProperties: false }));
    expect(document.components?.schemas?.WidgetView).not.toHaveProperty('additionalProperties');
    expect(list.parameters?.[0]).toEqual(
      expect.objectContaining({ name: 'name', schema: { type: 'string' }, description: 'For example `Sprocket`.' }),
    );
    expect(problem(create, '409')).toEqual({
      allOf: [
        { $ref: '#/components/schemas/Problem' },
        { type: 'object', properties: { code: { type: 'string', enum: ['WIDGET_TAKEN'] } } },
      ],
    });
    expect(problem(create, '400')).toEqual(
      expect.objectContaining({
        allOf: [
          { $ref: '#/components/schemas/Problem' },
          {
            type: 'object',
            properties: { code: { type: 'string', enum: ['BAD_REQUEST', 'BODY_TOO_DEEP', 'MALFORMED_JSON', 'VALIDATION_FAILED'] } },
          },
        ],
      }),
    );
    expect(document.components?.schemas?.Problem).toEqual(expect.objectContaining({ required: expect.arrayContaining(['requestId']) }));
    expect(create.responses['503']).toEqual({ $ref: '#/components/responses/ServiceUnavailable' });
  });
});
