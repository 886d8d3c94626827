/** The SCIM URNs (RFC 7643 §8.7, RFC 7644 §3.12 and §3.5.2) and the discovery documents (RFC 7643 §5–§7). */
export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export const SCIM_BASE_PATH = '/scim/v2';

/** Page size when the client names none, and the most a page holds (advertised as `filter.maxResults`). */
export const SCIM_DEFAULT_COUNT = 100;
export const SCIM_MAX_COUNT = 200;

type Attribute = Record<string, unknown>;

function attribute(name: string, options: Partial<Attribute> = {}): Attribute {
  return {
    name,
    type: 'string',
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

const USER_ATTRIBUTES: Attribute[] = [
  attribute('userName', {
    required: true,
    uniqueness: 'server',
    description: 'The email address the user signs in with; unique across the deployment.',
  }),
  attribute('name', {
    type: 'complex',
    description: 'Stored as one full name: formatted, or givenName and familyName together.',
    subAttributes: [attribute('formatted'), attribute('givenName'), attribute('familyName')],
  }),
  attribute('displayName'),
  attribute('externalId', { caseExact: true }),
  attribute('active', { type: 'boolean', description: 'false ends the membership: sessions end and API keys are revoked at once.' }),
  attribute('emails', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    description: 'The userName, as the one work email.',
    subAttributes: [attribute('value'), attribute('type'), attribute('primary', { type: 'boolean' })],
  }),
  attribute('groups', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [attribute('value', { mutability: 'readOnly' }), attribute('display', { mutability: 'readOnly' })],
  }),
  attribute('roles', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    description: 'The Atrium role in this organization (owner, admin, member, viewer, auditor); mapped groups set it.',
    subAttributes: [attribute('value', { mutability: 'readOnly' }), attribute('primary', { type: 'boolean', mutability: 'readOnly' })],
  }),
];

const GROUP_ATTRIBUTES: Attribute[] = [
  attribute('displayName', { required: true, uniqueness: 'server' }),
  attribute('externalId', { caseExact: true }),
  attribute('members', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      attribute('value', { mutability: 'immutable', caseExact: true }),
      attribute('display', { mutability: 'readOnly' }),
      attribute('type', { mutability: 'immutable', canonicalValues: ['User'] }),
      attribute('$ref', { type: 'reference', referenceTypes: ['User'], mutability: 'immutable' }),
    ],
  }),
];

const meta = (resourceType: string, location: string) => ({ resourceType, location: `${SCIM_BASE_PATH}${location}` });

export const SCHEMA_DOCUMENTS = [
  {
    schemas: [SCIM_SCHEMAS.schema],
    id: SCIM_SCHEMAS.user,
    name: 'User',
    description: 'A member of the organization',
    attributes: USER_ATTRIBUTES,
    meta: meta('Schema', `/Schemas/${SCIM_SCHEMAS.user}`),
  },
  {
    schemas: [SCIM_SCHEMAS.schema],
    id: SCIM_SCHEMAS.group,
    name: 'Group',
    description: 'A group of members; an owner or admin may map it to an Atrium role',
    attributes: GROUP_ATTRIBUTES,
    meta: meta('Schema', `/Schemas/${SCIM_SCHEMAS.group}`),
  },
];

export const RESOURCE_TYPES = [
  {
    schemas: [SCIM_SCHEMAS.resourceType],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'Members of the organization',
    schema: SCIM_SCHEMAS.user,
    schemaExtensions: [],
    meta: meta('ResourceType', '/ResourceTypes/User'),
  },
  {
    schemas: [SCIM_SCHEMAS.resourceType],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Groups of members',
    schema: SCIM_SCHEMAS.group,
    schemaExtensions: [],
    meta: meta('ResourceType', '/ResourceTypes/Group'),
  },
];

export const SERVICE_PROVIDER_CONFIG = {
  schemas: [SCIM_SCHEMAS.serviceProviderConfig],
  documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: SCIM_MAX_COUNT },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'A SCIM token an owner or admin created with POST /v1/scim-tokens, sent as `Authorization: Bearer scim_…`.',
      primary: true,
    },
  ],
  meta: meta('ServiceProviderConfig', '/ServiceProviderConfig'),
};
