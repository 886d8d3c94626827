import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../package.json';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Atrium API')
    .setVersion(version)
    .setDescription('Multi-tenant customer records with enterprise controls.')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A session token or an `atr_` API key.' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves the document at /docs/openapi.json and /docs/openapi.yaml. */
export function setupDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    ui: false,
    raw: ['json', 'yaml'],
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
}
