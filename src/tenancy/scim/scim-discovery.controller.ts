import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { resourceTypeNotFound, schemaNotFound } from './scim-protocol-errors';
import { ListResponse, ScimResource, listResponse } from './scim-resources';
import { RESOURCE_TYPES, SCHEMA_DOCUMENTS, SERVICE_PROVIDER_CONFIG } from './scim-schemas';
import { ScimProtocol } from './scim.decorators';

/** RFC 7644 §4: what this service provider supports, for identity providers that read it. */
@ScimProtocol()
@Controller('scim/v2')
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  @ApiOperation({ operationId: 'getScimServiceProviderConfig', summary: 'SCIM: service provider configuration' })
  serviceProviderConfig(): ScimResource {
    return SERVICE_PROVIDER_CONFIG;
  }

  @Get('ResourceTypes')
  @ApiOperation({ operationId: 'listScimResourceTypes', summary: 'SCIM: resource types' })
  resourceTypes(): ListResponse {
    return listResponse([...RESOURCE_TYPES], RESOURCE_TYPES.length, 1);
  }

  @Get('ResourceTypes/:id')
  @ApiOperation({ operationId: 'getScimResourceType', summary: 'SCIM: a resource type' })
  resourceType(@Param('id') id: string): ScimResource {
    const found = RESOURCE_TYPES.find((type) => type.id === id);
    if (!found) throw resourceTypeNotFound();
    return found;
  }

  @Get('Schemas')
  @ApiOperation({ operationId: 'listScimSchemas', summary: 'SCIM: schemas' })
  schemas(): ListResponse {
    return listResponse([...SCHEMA_DOCUMENTS], SCHEMA_DOCUMENTS.length, 1);
  }

  @Get('Schemas/:id')
  @ApiOperation({ operationId: 'getScimSchema', summary: 'SCIM: a schema' })
  schema(@Param('id') id: string): ScimResource {
    const found = SCHEMA_DOCUMENTS.find((schema) => schema.id === id);
    if (!found) throw schemaNotFound();
    return found;
  }
}
