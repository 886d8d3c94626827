import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { toJsonSchema } from './postman-json-schema';
import { PlannedFolder, isFolder, planCollection } from './postman-plan';

/** The run order and the schemas the Postman collection's tests check, on a document of its own. */

const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const op = (operationId: string, tag: string, status: string, response?: string, body?: string): OperationObject => ({
  operationId,
  summary: operationId,
  tags: [tag],
  ...(body ? { requestBody: json(body) } : {}),
  responses: { [status]: { description: '', ...(response ? json(response) : {}) } },
});
const idParam = { name: 'id', in: 'path' as const, required: true, schema: { type: 'string' as const, format: 'uuid' } };

const document: OpenAPIObject = {
  openapi: '3.0.0',
  info: { title: 'Test', version: '1' },
  tags: [{ name: 'Widgets' }, { name: 'Parts' }],
  paths: {
    '/v1/parts/{id}': {
      parameters: [idParam],
      delete: { ...op('deletePart', 'Parts', '204'), parameters: [idParam] },
      get: { ...op('getPart', 'Parts', '200', 'PartView'), parameters: [idParam] },
    },
    '/v1/widgets/{id}/parts': {
      get: { ...op('listWidgetParts', 'Parts', '200', 'PartPage'), parameters: [idParam] },
      post: { ...op('createPart', 'Parts', '201', 'PartView', 'CreatePartDto'), parameters: [idParam] },
    },
    '/v1/widgets/{id}': {
      delete: { ...op('deleteWidget', 'Widgets', '204'), parameters: [idParam] },
      patch: { ...op('updateWidget', 'Widgets', '200', 'WidgetView', 'CreateWidgetDto'), parameters: [idParam] },
      get: { ...op('getWidget', 'Widgets', '200', 'WidgetView'), parameters: [idParam] },
    },
    '/v1/widgets': {
      get: op('listWidgets', 'Widgets', '200', 'WidgetPage'),
      post: op('createWidget', 'Widgets', '201', 'WidgetView', 'CreateWidgetDto'),
    },
  },
  components: {
    schemas: {
      WidgetView: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
      WidgetPage: {
        type: 'object',
        properties: { data: { type: 'array', items: { $ref: '#/components/schemas/WidgetView' } }, nextCursor: {} },
      },
      CreateWidgetDto: { type: 'object', properties: { name: { type: 'string', example: 'Sprocket' } }, required: ['name'] },
      PartView: { type: 'object', properties: { id: { type: 'string' }, widgetId: { type: 'string' } } },
      PartPage: {
        type: 'object',
        properties: { data: { type: 'array', items: { $ref: '#/components/schemas/PartView' } }, nextCursor: {} },
      },
      CreatePartDto: {
        type: 'object',
        properties: { label: { type: 'string', example: 'Cog' }, widgetId: { type: 'string', example: 'w-1' } },
        required: ['label'],
      },
      Nullable: {
        type: 'object',
        properties: {
          size: { type: 'integer', format: 'int64', nullable: true, minimum: 0, exclusiveMinimum: true },
          kind: { type: 'string', enum: ['a'], nullable: true },
          owner: { nullable: true, allOf: [{ $ref: '#/components/schemas/WidgetView' }] },
        },
      },
    },
  },
};

const outline = (folder: PlannedFolder): unknown[] =>
  folder.entries.map((entry) => (isFolder(entry) ? { [entry.name]: outline(entry) } : entry.id));

describe('planCollection', () => {
  it('orders each folder Create → Get → List → Update → Delete, a folder using an id inside the folder deleting it', () => {
    const plan = planCollection(document);

    expect(plan.folders.map((folder) => ({ [folder.name]: outline(folder) }))).toEqual([
      {
        Widgets: [
          'createWidget',
          'getWidget',
          'listWidgets',
          'updateWidget',
          { Parts: ['createPart', 'getPart', 'listWidgetParts', 'deletePart'] },
          'deleteWidget',
        ],
      },
    ]);
  });

  it('keeps the id a create returns for the requests that use it, in the path and in the body', () => {
    const parts = planCollection(document).folders[0].entries.find(isFolder);
    const createPart = parts?.entries.find((entry) => !isFolder(entry) && entry.id === 'createPart');

    expect(createPart && !isFolder(createPart) && createPart.captures).toEqual({ partId: 'id' });
    expect(createPart && !isFolder(createPart) && Object.fromEntries(createPart.pathVariables)).toEqual({ id: 'widgetId' });
    expect(createPart && !isFolder(createPart) && createPart.bodyTemplates).toEqual({ widgetId: '{{widgetId}}' });
    expect([...planCollection(document).dynamic.keys()]).toEqual(expect.arrayContaining(['widgetId', 'partId']));
  });
});

describe('toJsonSchema', () => {
  it('reads nullable as strictly as OpenAPI 3.0.3, and leaves out what Ajv 6 cannot compile', () => {
    expect(toJsonSchema(document, { $ref: '#/components/schemas/Nullable' })).toEqual({
      $ref: '#/definitions/Nullable',
      definitions: {
        Nullable: {
          type: 'object',
          properties: {
            size: { type: ['integer', 'null'], exclusiveMinimum: 0 },
            kind: { type: ['string', 'null'], enum: ['a', null] },
            // No `type` beside it: `nullable` widens nothing, the reference must hold.
            owner: { allOf: [{ $ref: '#/definitions/WidgetView' }] },
          },
        },
        WidgetView: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
      },
    });
  });
});
