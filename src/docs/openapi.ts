import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../package.json';
import { API_DESCRIPTION, API_TITLE } from './api-description';
import { applyApiConventions } from './conventions';
import { loadPluginMetadata } from './plugin-metadata';

/** The OpenAPI document of every controller of `app`, completed by the API's conventions. */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  await loadPluginMetadata();
  const config = new DocumentBuilder().setTitle(API_TITLE).setVersion(version).setDescription(API_DESCRIPTION).build();
  const document = SwaggerModule.createDocument(app, config);
  delete document.info.contact;
  return applyApiConventions(document);
}
