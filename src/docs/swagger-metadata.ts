/* eslint-disable */
export default async () => {
  const t = {
    ['../tenancy/api-keys/dto/api-key.dto']: await Promise.resolve(require('../tenancy/api-keys/dto/api-key.dto')),
    ['../tenancy/invitations/dto/invitation.dto']: await Promise.resolve(require('../tenancy/invitations/dto/invitation.dto')),
    ['../tenancy/views']: await Promise.resolve(require('../tenancy/views')),
    ['../tenancy/members/dto/member.dto']: await Promise.resolve(require('../tenancy/members/dto/member.dto')),
    ['../tenancy/organizations/dto/organization.dto']: await Promise.resolve(require('../tenancy/organizations/dto/organization.dto')),
    ['../compliance/audit/dto/audit-event.dto']: await Promise.resolve(require('../compliance/audit/dto/audit-event.dto')),
    ['../crm/activities/dto/activity.dto']: await Promise.resolve(require('../crm/activities/dto/activity.dto')),
    ['../crm/companies/dto/company.dto']: await Promise.resolve(require('../crm/companies/dto/company.dto')),
    ['../crm/contacts/dto/contact.dto']: await Promise.resolve(require('../crm/contacts/dto/contact.dto')),
    ['../tenancy/auth/dto/session.view']: await Promise.resolve(require('../tenancy/auth/dto/session.view')),
    ['../tenancy/me/dto/me.view']: await Promise.resolve(require('../tenancy/me/dto/me.view')),
    ['../compliance/signing/signing-key.controller']: await Promise.resolve(require('../compliance/signing/signing-key.controller')),
  };
  return {
    '@nestjs/swagger': {
      models: [
        [
          Promise.resolve(require('../tenancy/api-keys/dto/api-key.dto')),
          {
            CreateApiKeyDto: {
              name: { required: true, type: () => String, minLength: 1, maxLength: 100 },
              scopes: {
                required: true,
                type: () => [Object],
                enum: [
                  'org:read',
                  'org:manage',
                  'members:read',
                  'members:manage',
                  'api-keys:manage',
                  'contacts:read',
                  'contacts:write',
                  'audit:read',
                  'privacy:read',
                  'privacy:manage',
                  'compliance:read',
                  'compliance:manage',
                  'legal-holds:manage',
                ],
                isArray: true,
                uniqueItems: true,
                minItems: 1,
              },
              expiresAt: { required: false, type: () => Date },
            },
            ApiKeyView: {
              id: { required: true, type: () => String },
              name: { required: true, type: () => String },
              prefix: { required: true, type: () => String },
              scopes: {
                required: true,
                type: () => [Object],
                enum: [
                  'org:read',
                  'org:manage',
                  'members:read',
                  'members:manage',
                  'api-keys:manage',
                  'contacts:read',
                  'contacts:write',
                  'audit:read',
                  'privacy:read',
                  'privacy:manage',
                  'compliance:read',
                  'compliance:manage',
                  'legal-holds:manage',
                ],
                isArray: true,
              },
              createdBy: { required: true, type: () => String },
              createdAt: { required: true, type: () => String },
              expiresAt: { required: true, type: () => String, nullable: true },
              lastUsedAt: { required: true, type: () => String, nullable: true },
              revokedAt: { required: true, type: () => String, nullable: true },
            },
            CreatedApiKeyView: { secret: { required: true, type: () => String } },
            ApiKeyPage: {
              data: { required: true, type: () => [t['../tenancy/api-keys/dto/api-key.dto'].ApiKeyView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../tenancy/auth/dto/auth.dto')),
          {
            SignupDto: {
              email: { required: true, type: () => String, maxLength: 254, format: 'email' },
              password: { required: true, type: () => String, maxLength: 256 },
              name: { required: true, type: () => String, minLength: 1, maxLength: 200 },
              organizationName: { required: true, type: () => String, minLength: 1, maxLength: 200 },
            },
            LoginDto: {
              email: { required: true, type: () => String, maxLength: 254, format: 'email' },
              password: { required: true, type: () => String, maxLength: 256 },
              organizationId: { required: false, type: () => String, format: 'uuid' },
            },
            SwitchOrganizationDto: { organizationId: { required: true, type: () => String, format: 'uuid' } },
          },
        ],
        [
          Promise.resolve(require('../tenancy/invitations/dto/invitation.dto')),
          {
            CreateInvitationDto: {
              email: { required: true, type: () => String, maxLength: 254, format: 'email' },
              role: { required: true, enum: ['owner', 'admin', 'member', 'viewer', 'auditor'] },
            },
            AcceptInvitationDto: {
              token: { required: true, type: () => String, maxLength: 200 },
              name: { required: false, type: () => String, minLength: 1, maxLength: 200 },
              password: { required: false, type: () => String, maxLength: 256 },
            },
            InvitationView: {
              id: { required: true, type: () => String },
              email: { required: true, type: () => String },
              role: { required: true, enum: ['owner', 'admin', 'member', 'viewer', 'auditor'] },
              status: { required: true, enum: ['pending', 'accepted', 'revoked', 'expired'] },
              expiresAt: { required: true, type: () => String },
              createdAt: { required: true, type: () => String },
              invitedBy: { required: true, type: () => String, nullable: true },
            },
            CreatedInvitationView: { token: { required: true, type: () => String } },
            InvitationPage: {
              data: { required: true, type: () => [t['../tenancy/invitations/dto/invitation.dto'].InvitationView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
            AcceptedInvitationView: {
              user: { required: true, type: () => t['../tenancy/views'].UserView },
              role: { required: true, enum: ['owner', 'admin', 'member', 'viewer', 'auditor'] },
            },
          },
        ],
        [
          Promise.resolve(require('../tenancy/members/dto/member.dto')),
          {
            UpdateMemberDto: { role: { required: true, enum: ['owner', 'admin', 'member', 'viewer', 'auditor'] } },
            MemberView: {
              userId: { required: true, type: () => String },
              email: { required: true, type: () => String },
              name: { required: true, type: () => String },
              role: { required: true, enum: ['owner', 'admin', 'member', 'viewer', 'auditor'] },
              joinedAt: { required: true, type: () => String },
            },
            MemberPage: {
              data: { required: true, type: () => [t['../tenancy/members/dto/member.dto'].MemberView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../tenancy/organizations/dto/organization.dto')),
          {
            CreateOrganizationDto: { name: { required: true, type: () => String, minLength: 1, maxLength: 200 } },
            OrganizationSettingsDto: { displayTimezone: { required: false, type: () => String } },
            UpdateOrganizationDto: {
              name: { required: false, type: () => String, minLength: 1, maxLength: 200 },
              settings: { required: false, type: () => t['../tenancy/organizations/dto/organization.dto'].OrganizationSettingsDto },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/audit/dto/audit-event.dto')),
          {
            AuditQuery: {
              action: { required: false, type: () => String, pattern: '^[a-z0-9.-]{1,100}$' },
              actorId: { required: false, type: () => String, maxLength: 100 },
              targetId: { required: false, type: () => String, maxLength: 100 },
              from: { required: false, type: () => Date },
              to: { required: false, type: () => Date },
            },
            AuditExportQuery: { format: { required: true, enum: ['csv', 'jsonl'] } },
            AuditActorView: {
              type: { required: true, enum: ['user', 'api_key', 'system', 'anonymous'] },
              id: { required: true, type: () => String, nullable: true },
            },
            AuditTargetView: { type: { required: true, type: () => String }, id: { required: true, type: () => String } },
            AuditEventView: {
              id: { required: true, type: () => String },
              seq: { required: true, type: () => Number },
              occurredAt: { required: true, type: () => String },
              actor: { required: true, type: () => t['../compliance/audit/dto/audit-event.dto'].AuditActorView },
              action: { required: true, type: () => String },
              target: { required: true, type: () => t['../compliance/audit/dto/audit-event.dto'].AuditTargetView, nullable: true },
              outcome: { required: true, enum: ['success', 'failure', 'denied'] },
              requestId: { required: true, type: () => String, nullable: true },
              ip: { required: true, type: () => String, nullable: true },
              changedFields: { required: true, type: () => [String] },
              details: { required: true, type: 'object', additionalProperties: true },
              prevHash: { required: true, type: () => String },
              hash: { required: true, type: () => String },
            },
            AuditEventPage: {
              data: { required: true, type: () => [t['../compliance/audit/dto/audit-event.dto'].AuditEventView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
            CheckpointStatus: {
              seq: { required: true, type: () => Number },
              signedAt: { required: true, type: () => String },
              signatureValid: { required: true, type: () => Boolean },
            },
            ChainVerification: {
              valid: { required: true, type: () => Boolean },
              checked: { required: true, type: () => Number },
              firstBrokenSeq: { required: false, type: () => Number },
              lastSeq: { required: true, type: () => Number },
              lastHash: { required: true, type: () => String, nullable: true },
              checkpoint: { required: true, type: () => t['../compliance/audit/dto/audit-event.dto'].CheckpointStatus, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../crm/activities/dto/activity.dto')),
          {
            CreateActivityDto: {
              type: { required: true, enum: ['note', 'call', 'email', 'meeting'] },
              subject: { required: true, type: () => String, minLength: 1, maxLength: 200 },
              body: { required: false, type: () => String, nullable: true, maxLength: 10000 },
              occurredAt: { required: true, type: () => Date },
            },
            UpdateActivityDto: {},
            ListActivitiesQuery: { type: { required: false, enum: ['note', 'call', 'email', 'meeting'] } },
            ActivityView: {
              id: { required: true, type: () => String },
              contactId: { required: true, type: () => String },
              type: { required: true, enum: ['note', 'call', 'email', 'meeting'] },
              subject: { required: true, type: () => String },
              body: { required: true, type: () => String, nullable: true },
              occurredAt: { required: true, type: () => String },
              author: {
                required: true,
                type: () => ({ type: { required: true, enum: ['user', 'api_key'] }, id: { required: true, type: () => String } }),
              },
              version: { required: true, type: () => Number },
              createdAt: { required: true, type: () => String },
              updatedAt: { required: true, type: () => String },
            },
            ActivityPage: {
              data: { required: true, type: () => [t['../crm/activities/dto/activity.dto'].ActivityView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../crm/companies/dto/company.dto')),
          {
            CreateCompanyDto: {
              name: { required: true, type: () => String, minLength: 1, maxLength: 200 },
              domain: { required: false, type: () => String, nullable: true, maxLength: 253 },
              industry: { required: false, type: () => String, nullable: true, maxLength: 100 },
            },
            UpdateCompanyDto: {},
            ListCompaniesQuery: {
              domain: { required: false, type: () => String, maxLength: 253 },
              updatedSince: { required: false, type: () => Date },
            },
            CompanyView: {
              id: { required: true, type: () => String },
              name: { required: true, type: () => String },
              domain: { required: true, type: () => String, nullable: true },
              industry: { required: true, type: () => String, nullable: true },
              version: { required: true, type: () => Number },
              createdAt: { required: true, type: () => String },
              updatedAt: { required: true, type: () => String },
            },
            CompanyPage: {
              data: { required: true, type: () => [t['../crm/companies/dto/company.dto'].CompanyView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../crm/contacts/dto/contact.dto')),
          {
            CreateContactDto: {
              firstName: { required: true, type: () => String, minLength: 1, maxLength: 100 },
              lastName: { required: true, type: () => String, minLength: 1, maxLength: 100 },
              email: { required: false, type: () => String, nullable: true, maxLength: 254, format: 'email' },
              phone: { required: false, type: () => String, nullable: true },
              companyId: { required: false, type: () => String, nullable: true, format: 'uuid' },
              tags: { required: false, type: () => [String], minLength: 1, uniqueItems: true },
              customFields: { required: false, type: 'object', additionalProperties: true },
            },
            UpdateContactDto: {},
            ListContactsQuery: {
              email: { required: false, type: () => String, maxLength: 254 },
              companyId: { required: false, type: () => String, format: 'uuid' },
              tag: { required: false, type: () => String },
              q: { required: false, type: () => String, minLength: 3, maxLength: 100 },
              updatedSince: { required: false, type: () => Date },
            },
            ContactCompanyView: { id: { required: true, type: () => String }, name: { required: true, type: () => String } },
            ContactView: {
              id: { required: true, type: () => String },
              firstName: { required: true, type: () => String },
              lastName: { required: true, type: () => String },
              email: { required: true, type: () => String, nullable: true },
              phone: { required: true, type: () => String, nullable: true },
              companyId: { required: true, type: () => String, nullable: true },
              company: { required: true, type: () => t['../crm/contacts/dto/contact.dto'].ContactCompanyView, nullable: true },
              tags: { required: true, type: () => [String] },
              customFields: { required: true, type: 'object', additionalProperties: true },
              version: { required: true, type: () => Number },
              createdAt: { required: true, type: () => String },
              updatedAt: { required: true, type: () => String },
            },
            ContactPage: {
              data: { required: true, type: () => [t['../crm/contacts/dto/contact.dto'].ContactView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
      ],
      controllers: [
        [
          Promise.resolve(require('../tenancy/api-keys/api-keys.controller')),
          {
            ApiKeysController: {
              list: { type: t['../tenancy/api-keys/dto/api-key.dto'].ApiKeyPage },
              create: { type: t['../tenancy/api-keys/dto/api-key.dto'].CreatedApiKeyView },
              revoke: {},
            },
          },
        ],
        [
          Promise.resolve(require('../tenancy/auth/auth.controller')),
          {
            AuthController: {
              signup: { type: t['../tenancy/views'].SignupView },
              login: { type: t['../tenancy/views'].SessionTokenView },
              logout: {},
              switchOrganization: { type: t['../tenancy/views'].SessionTokenView },
              listSessions: { type: t['../tenancy/auth/dto/session.view'].SessionPage },
              revokeSession: {},
            },
          },
        ],
        [
          Promise.resolve(require('../tenancy/invitations/invitations.controller')),
          {
            InvitationsController: {
              create: { type: t['../tenancy/invitations/dto/invitation.dto'].CreatedInvitationView },
              list: { type: t['../tenancy/invitations/dto/invitation.dto'].InvitationPage },
              revoke: {},
              accept: { type: t['../tenancy/invitations/dto/invitation.dto'].AcceptedInvitationView },
            },
          },
        ],
        [
          Promise.resolve(require('../tenancy/me/me.controller')),
          { MeController: { get: { type: t['../tenancy/me/dto/me.view'].MeView }, changePassword: {} } },
        ],
        [
          Promise.resolve(require('../tenancy/members/members.controller')),
          {
            MembersController: {
              list: { type: t['../tenancy/members/dto/member.dto'].MemberPage },
              update: { type: t['../tenancy/members/dto/member.dto'].MemberView },
              remove: {},
            },
          },
        ],
        [
          Promise.resolve(require('../tenancy/organizations/organizations.controller')),
          {
            OrganizationsController: {
              list: { type: t['../tenancy/views'].OrganizationPage },
              create: { type: t['../tenancy/views'].OrganizationView },
              current: { type: t['../tenancy/views'].OrganizationView },
              update: { type: t['../tenancy/views'].OrganizationView },
            },
          },
        ],
        [
          Promise.resolve(require('../monitoring/metrics/metrics.controller')),
          {
            MetricsController: {
              index: {
                summary: 'Prometheus text exposition. With METRICS_TOKEN set, a scrape must send it as a bearer token.',
                type: String,
              },
            },
          },
        ],
        [
          Promise.resolve(require('../monitoring/health/health.controller')),
          {
            HealthController: {
              live: { summary: 'The process is up. No dependency is checked: a slow database must not get the process killed.' },
              ready: {
                summary: 'Ready for traffic: database, cache, migrations, and not shutting down. 503 with per-check detail otherwise.',
                type: Object,
              },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/audit/audit-events.controller')),
          {
            AuditEventsController: {
              list: { type: t['../compliance/audit/dto/audit-event.dto'].AuditEventPage },
              export: {},
              verify: { type: t['../compliance/audit/dto/audit-event.dto'].ChainVerification },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/signing/signing-key.controller')),
          { SigningKeyController: { get: { type: t['../compliance/signing/signing-key.controller'].SigningKeyView } } },
        ],
        [
          Promise.resolve(require('../crm/activities/activities.controller')),
          {
            ActivitiesController: {
              list: { type: t['../crm/activities/dto/activity.dto'].ActivityPage },
              create: { type: t['../crm/activities/dto/activity.dto'].ActivityView },
              get: { type: t['../crm/activities/dto/activity.dto'].ActivityView },
              update: { type: t['../crm/activities/dto/activity.dto'].ActivityView },
              remove: {},
            },
          },
        ],
        [
          Promise.resolve(require('../crm/companies/companies.controller')),
          {
            CompaniesController: {
              list: { type: t['../crm/companies/dto/company.dto'].CompanyPage },
              create: { type: t['../crm/companies/dto/company.dto'].CompanyView },
              get: { type: t['../crm/companies/dto/company.dto'].CompanyView },
              update: { type: t['../crm/companies/dto/company.dto'].CompanyView },
              remove: {},
            },
          },
        ],
        [
          Promise.resolve(require('../crm/contacts/contacts.controller')),
          {
            ContactsController: {
              list: { type: t['../crm/contacts/dto/contact.dto'].ContactPage },
              create: { type: t['../crm/contacts/dto/contact.dto'].ContactView },
              get: { type: t['../crm/contacts/dto/contact.dto'].ContactView },
              update: { type: t['../crm/contacts/dto/contact.dto'].ContactView },
              remove: {},
            },
          },
        ],
      ],
    },
  };
};
