import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { INestApplication } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { matchesIfNoneMatch } from '@app/http';
import { APP_CONFIG, AppConfig } from '../config';
import { SwaggerUiAsset, swaggerUiAssetPath } from '../platform';
import { buildOpenApiDocument } from './openapi';
import { publicOrigin } from './public-origin';
import { DOC_FILES, RenderedDocs, renderDocs } from './rendered-docs';

/**
 * Serves the documentation without credentials: the explorer (Swagger UI, every asset from the
 * installed `swagger-ui-dist`, nothing from a CDN, so it works offline), the OpenAPI document as
 * JSON and YAML, and the Postman collection. These are plain Fastify routes, outside the Nest
 * controllers: they are not API operations, so the document does not list them and the
 * route-access check (which covers controllers) has nothing to check.
 */

export const DOCS_PATH = '/docs';

interface Payload {
  readonly body: Buffer;
  readonly gzipped: Buffer;
  readonly etag: string;
  readonly type: string;
}

/** The explorer's files, from the installed swagger-ui-dist (platform/library-internals/swagger-ui-assets.ts). */
const ASSETS: Record<SwaggerUiAsset, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// Swagger UI sets inline styles and shows data: images; everything else must come from us.
const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const EXPLORER_HTML = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Atrium API explorer</title>
    <link rel="stylesheet" href="${DOCS_PATH}/assets/swagger-ui.css">
    <link rel="icon" type="image/png" href="${DOCS_PATH}/assets/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="${DOCS_PATH}/assets/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <noscript>The explorer needs JavaScript. The document itself is at <a href="${DOCS_PATH}/openapi.json">${DOCS_PATH}/openapi.json</a>.</noscript>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/explorer.js"></script>
  </body>
</html>
`;

// validatorUrl: null keeps Swagger UI from sending the document to validator.swagger.io.
// The document names the server's public URL; "Try it out" calls the origin the explorer came
// from instead (its CSP allows only that), which is the same server under whatever name the
// browser used (localhost, a proxy) when PUBLIC_URL is unset or names another.
const EXPLORER_JS = `window.ui = SwaggerUIBundle({
  requestInterceptor: function (request) {
    var target = new URL(request.url, window.location.href);
    if (target.origin !== window.location.origin) request.url = window.location.origin + target.pathname + target.search;
    return request;
  },
  url: '${DOCS_PATH}/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  displayOperationId: true,
  displayRequestDuration: true,
  filter: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  showExtensions: true,
  persistAuthorization: false,
  validatorUrl: null,
});
`;

export function setupDocs(app: INestApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  let rendered: Promise<Record<keyof RenderedDocs, Payload>> | undefined;
  // Built on first request, once: the document is the same for the life of the process.
  const documents = () =>
    (rendered ??= buildOpenApiDocument(app, servedOrigin(app))
      .then(renderDocs)
      .then((docs) => ({
        json: payload(docs.json, 'application/json; charset=utf-8'),
        yaml: payload(docs.yaml, 'application/yaml; charset=utf-8'),
        postman: payload(docs.postman, 'application/json; charset=utf-8'),
      }))
      .catch((error: unknown) => {
        rendered = undefined;
        throw error;
      }));

  for (const [kind, file] of Object.entries(DOC_FILES) as [keyof RenderedDocs, string][]) {
    fastify.get(`${DOCS_PATH}/${file}`, async (request, reply) => send(request, reply, (await documents())[kind], 'no-cache'));
  }

  const explorer = payload(EXPLORER_HTML, 'text/html; charset=utf-8');
  for (const path of [DOCS_PATH, `${DOCS_PATH}/`]) {
    fastify.get(path, async (request, reply) => send(request, reply.header('content-security-policy', EXPLORER_CSP), explorer, 'no-cache'));
  }
  const explorerJs = payload(EXPLORER_JS, 'text/javascript; charset=utf-8');
  fastify.get(`${DOCS_PATH}/explorer.js`, async (request, reply) => send(request, reply, explorerJs, 'no-cache'));

  const assets = new Map<string, Payload>();
  for (const [file, type] of Object.entries(ASSETS) as [SwaggerUiAsset, string][]) {
    fastify.get(`${DOCS_PATH}/assets/${file}`, async (request, reply) => {
      if (!assets.has(file)) assets.set(file, payload(readFileSync(swaggerUiAssetPath(file)), type));
      return send(request, reply, assets.get(file) as Payload, 'public, max-age=86400');
    });
  }
}

/** Built on the first request, so the server listens by then: its real port when `PUBLIC_URL` is unset. */
function servedOrigin(app: INestApplication): string {
  const address = (app.getHttpServer() as Server).address();
  return publicOrigin(app.get<AppConfig>(APP_CONFIG).http, typeof address === 'object' && address ? address.port : undefined);
}

function payload(content: string | Buffer, type: string): Payload {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { body, gzipped: gzipSync(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, type };
}

/** Sends `content` (gzipped when the client accepts it, 304 when its ETag matches); handlers return the reply, as Fastify expects of async handlers. */
function send(request: FastifyRequest, reply: FastifyReply, content: Payload, cacheControl: string): FastifyReply {
  void reply
    .header('etag', content.etag)
    .header('cache-control', cacheControl)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff');
  if (matchesIfNoneMatch(request.headers['if-none-match'], content.etag)) return reply.code(304).send();
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (gzip) void reply.header('content-encoding', 'gzip');
  return reply.type(content.type).send(gzip ? content.gzipped : content.body);
}
