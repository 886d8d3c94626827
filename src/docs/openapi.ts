import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { version } from '../../package.json';
import { API_TITLE, apiDescription } from './api-description';
import { applyApiConventions } from './conventions';
import { loadPluginMetadata } from './plugin-metadata';

/** The OpenAPI document of every controller of `app`, completed by the API's conventions; `origin` is where clients reach it. */
export async function buildOpenApiDocument(app: INestApplication, origin: string): Promise<OpenAPIObject> {
  await loadPluginMetadata();
  const config = new DocumentBuilder().setTitle(API_TITLE).setVersion(version).setDescription(apiDescription(origin)).build();
  const document = SwaggerModule.createDocument(app, config);
  delete document.info.contact;
  return applyApiConventions(document, origin);
}
