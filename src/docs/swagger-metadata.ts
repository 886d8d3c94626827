/* eslint-disable */
export default async () => {
  const t = {
    ['../tenancy/api-keys/dto/api-key.dto']: await Promise.resolve(require('../tenancy/api-keys/dto/api-key.dto')),
    ['../tenancy/invitations/dto/invitation.dto']: await Promise.resolve(require('../tenancy/invitations/dto/invitation.dto')),
    ['../tenancy/views']: await Promise.resolve(require('../tenancy/views')),
    ['../tenancy/members/dto/member.dto']: await Promise.resolve(require('../tenancy/members/dto/member.dto')),
    ['../tenancy/organizations/dto/organization.dto']: await Promise.resolve(require('../tenancy/organizations/dto/organization.dto')),
    ['../compliance/audit/dto/audit-event.dto']: await Promise.resolve(require('../compliance/audit/dto/audit-event.dto')),
    ['../compliance/audit/dto/audit-verification.dto']: await Promise.resolve(require('../compliance/audit/dto/audit-verification.dto')),
    ['../compliance/evidence/dto/evidence.dto']: await Promise.resolve(require('../compliance/evidence/dto/evidence.dto')),
    ['../compliance/offboarding/dto/closure.dto']: await Promise.resolve(require('../compliance/offboarding/dto/closure.dto')),
    ['../compliance/reports/dto/report.dto']: await Promise.resolve(require('../compliance/reports/dto/report.dto')),
    ['../compliance/privacy/dto/processing-record.dto']: await Promise.resolve(require('../compliance/privacy/dto/processing-record.dto')),
    ['../compliance/privacy/dto/privacy-deliverables.dto']: await Promise.resolve(
      require('../compliance/privacy/dto/privacy-deliverables.dto'),
    ),
    ['../compliance/privacy/dto/privacy-request.dto']: await Promise.resolve(require('../compliance/privacy/dto/privacy-request.dto')),
    ['../compliance/retention/dto/legal-hold.dto']: await Promise.resolve(require('../compliance/retention/dto/legal-hold.dto')),
    ['../compliance/retention/dto/retention-policy.dto']: await Promise.resolve(
      require('../compliance/retention/dto/retention-policy.dto'),
    ),
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
                  'org:close',
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
                  'org:close',
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
            OrganizationSettingsDto: { displayTimezone: { required: false, type: () => String, maxLength: 64 } },
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
              checkpointedThrough: { required: true, type: () => Number },
              firstBrokenSeq: { required: false, type: () => Number },
              lastSeq: { required: true, type: () => Number },
              lastHash: { required: true, type: () => String, nullable: true },
              checkpoint: { required: true, type: () => t['../compliance/audit/dto/audit-event.dto'].CheckpointStatus, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/audit/dto/audit-verification.dto')),
          {
            AuditVerificationRequester: {
              type: { required: true, type: () => String },
              id: { required: true, type: () => String, nullable: true },
            },
            AuditVerificationProgress: {
              checked: { required: true, type: () => Number },
              total: { required: true, type: () => Number, nullable: true },
            },
            AuditVerificationOutcome: {
              valid: { required: true, type: () => Boolean },
              firstBrokenSeq: { required: true, type: () => Number, nullable: true },
              fromSeq: { required: true, type: () => Number },
              fromHash: { required: true, type: () => String },
              throughSeq: { required: true, type: () => Number },
              throughHash: { required: true, type: () => String, nullable: true },
            },
            AuditVerificationSignature: {
              algorithm: { required: true, type: () => String },
              keyId: { required: true, type: () => String },
              value: { required: true, type: () => String },
              signedPayload: { required: true, type: () => String },
            },
            AuditVerificationView: {
              id: { required: true, type: () => String },
              status: { required: true, enum: ['queued', 'running', 'succeeded', 'failed'] },
              requestedBy: { required: true, type: () => t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationRequester },
              createdAt: { required: true, type: () => String },
              startedAt: { required: true, type: () => String, nullable: true },
              finishedAt: { required: true, type: () => String, nullable: true },
              progress: { required: true, type: () => t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationProgress },
              outcome: {
                required: true,
                type: () => t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationOutcome,
                nullable: true,
              },
              signature: {
                required: true,
                type: () => t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationSignature,
                nullable: true,
              },
              error: { required: true, type: () => String, nullable: true },
            },
            AuditVerificationPage: {
              data: { required: true, type: () => [t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/evidence/dto/evidence.dto')),
          {
            ListEvidenceQuery: {
              checkId: { required: false, type: () => String, pattern: '^[a-z0-9-]{1,64}$' },
              criterion: { required: false, type: () => String, pattern: '^[A-Z]{1,3}\\d{1,2}\\.\\d{1,2}$' },
              from: { required: false, type: () => Date },
              to: { required: false, type: () => Date },
            },
            CollectEvidenceDto: { from: { required: false, type: () => Date }, to: { required: false, type: () => Date } },
            EvidenceSummaryView: {
              id: { required: true, type: () => String },
              checkId: { required: true, type: () => String },
              checkVersion: { required: true, type: () => Number },
              criteria: { required: true, type: () => [String] },
              periodStart: { required: true, type: () => String },
              periodEnd: { required: true, type: () => String },
              collectedAt: { required: true, type: () => String },
              source: { required: true, type: () => String },
              populationCount: { required: true, type: () => Number },
              exceptionCount: { required: true, type: () => Number },
              result: { required: true, enum: ['pass', 'fail', 'exceptions'] },
              summary: { required: true, type: 'object', additionalProperties: true },
              payloadSha256: { required: true, type: () => String },
              jobRunId: { required: true, type: () => String, nullable: true },
            },
            EvidenceView: {
              queryParams: { required: true, type: 'object', additionalProperties: true },
              population: { required: true, type: () => [Object] },
              exceptions: { required: true, type: () => [Object] },
            },
            EvidencePage: {
              data: { required: true, type: () => [t['../compliance/evidence/dto/evidence.dto'].EvidenceSummaryView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
            EvidenceCollectionView: {
              periodStart: { required: true, type: () => String },
              periodEnd: { required: true, type: () => String },
              data: { required: true, type: () => [t['../compliance/evidence/dto/evidence.dto'].EvidenceSummaryView] },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/offboarding/dto/closure.dto')),
          {
            RequestClosureDto: { confirmOrganizationName: { required: true, type: () => String, minLength: 1, maxLength: 200 } },
            ClosureView: {
              id: { required: true, type: () => String },
              status: { required: true, enum: ['pending', 'export_ready'] },
              requestedAt: { required: true, type: () => String },
              graceUntil: { required: true, type: () => String },
              exportSha256: { required: true, type: () => String, nullable: true },
              certificateId: { required: true, type: () => String },
            },
            DeletedOrganizationView: { id: { required: true, type: () => String }, nameSha256: { required: true, type: () => String } },
            DeletionVerificationView: {
              remainingRows: { required: true, type: 'object', additionalProperties: { type: 'number' } },
              clean: { required: true, type: () => Boolean },
            },
            DeletionCertificateBodyView: {
              format: { required: true, type: () => String },
              certificateId: { required: true, type: () => String },
              organization: { required: true, type: () => t['../compliance/offboarding/dto/closure.dto'].DeletedOrganizationView },
              requestedBy: { required: true, type: () => String },
              requestedAt: { required: true, type: () => String },
              graceUntil: { required: true, type: () => String },
              exportSha256: { required: true, type: () => String, nullable: true },
              deletedAt: { required: true, type: () => String },
              method: { required: true, type: () => String },
              recordsDeleted: { required: true, type: 'object', additionalProperties: { type: 'number' } },
              storesCovered: { required: true, type: () => [String] },
              verification: { required: true, type: () => t['../compliance/offboarding/dto/closure.dto'].DeletionVerificationView },
              backups: { required: true, type: () => String },
            },
            DeletionSignatureView: {
              algorithm: { required: true, type: () => String },
              keyId: { required: true, type: () => String },
              value: { required: true, type: () => String },
            },
            DeletionCertificateView: {
              certificate: { required: true, type: () => t['../compliance/offboarding/dto/closure.dto'].DeletionCertificateBodyView },
              signature: { required: true, type: () => t['../compliance/offboarding/dto/closure.dto'].DeletionSignatureView },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/reports/dto/report.dto')),
          {
            CreateReportDto: { from: { required: true, type: () => Date }, to: { required: true, type: () => Date } },
            ListReportsQuery: {},
            DownloadReportQuery: { format: { required: true, enum: ['csv', 'pdf', 'json', 'manifest', 'signature'] } },
            ReportPeriodView: { start: { required: true, type: () => String }, end: { required: true, type: () => String } },
            ReportFileView: {
              name: { required: true, type: () => String },
              format: { required: true, enum: ['csv', 'pdf', 'json', 'manifest', 'signature'] },
              contentType: { required: true, type: () => String },
              bytes: { required: true, type: () => Number },
              sha256: { required: true, type: () => String },
            },
            ReportSignatureView: {
              algorithm: { required: true, type: () => String },
              keyId: { required: true, type: () => String },
              value: { required: true, type: () => String },
            },
            ReportSummaryView: {
              checks: { required: true, type: () => Number },
              passed: { required: true, type: () => Number },
              withExceptions: { required: true, type: () => Number },
              failed: { required: true, type: () => Number },
              noActivity: { required: true, type: () => Number },
              populationTotal: { required: true, type: () => Number },
              exceptionTotal: { required: true, type: () => Number },
            },
            ReportView: {
              id: { required: true, type: () => String },
              kind: { required: true, enum: ['monthly', 'on_demand'] },
              status: { required: true, enum: ['pending', 'failed', 'generating', 'ready'] },
              period: { required: true, type: () => t['../compliance/reports/dto/report.dto'].ReportPeriodView },
              requestedBy: { required: true, type: () => String, nullable: true },
              createdAt: { required: true, type: () => String },
              generatedAt: { required: true, type: () => String, nullable: true },
              summary: { required: true, type: () => t['../compliance/reports/dto/report.dto'].ReportSummaryView, nullable: true },
              files: { required: true, type: () => [t['../compliance/reports/dto/report.dto'].ReportFileView] },
              signature: { required: true, type: () => t['../compliance/reports/dto/report.dto'].ReportSignatureView, nullable: true },
              error: { required: false, type: () => String },
            },
            ReportPage: {
              data: { required: true, type: () => [t['../compliance/reports/dto/report.dto'].ReportView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/privacy/dto/processing-record.dto')),
          {
            ProcessingPartyView: {
              role: { required: true, enum: ['controller', 'processor'] },
              name: { required: true, type: () => String },
              organizationId: { required: true, type: () => String, nullable: true },
              basis: { required: true, type: () => String },
            },
            OrganizationRetentionView: { days: { required: true, type: () => Number }, action: { required: true, type: () => String } },
            FieldRetentionView: {
              category: { required: true, type: () => String },
              description: { required: true, type: () => String },
              defaultDays: { required: true, type: () => Number, nullable: true },
              defaultAction: { required: true, type: () => String, nullable: true },
              organizationPolicy: {
                required: true,
                type: () => t['../compliance/privacy/dto/processing-record.dto'].OrganizationRetentionView,
                nullable: true,
              },
            },
            StorageLocationView: { table: { required: true, type: () => String }, column: { required: true, type: () => String } },
            PersonalDataFieldRecordView: {
              entity: { required: true, type: () => String },
              field: { required: true, type: () => String },
              category: { required: true, type: () => String },
              purpose: { required: true, type: () => String },
              dataSubjects: { required: true, type: () => String },
              retention: { required: true, type: () => t['../compliance/privacy/dto/processing-record.dto'].FieldRetentionView },
              erasure: { required: true, type: () => String },
              storage: { required: true, type: () => t['../compliance/privacy/dto/processing-record.dto'].StorageLocationView },
            },
            OtherStoreView: {
              store: { required: true, type: () => String },
              location: { required: true, type: () => String },
              contents: { required: true, type: () => String },
              retention: { required: true, type: () => String },
              erasure: { required: true, type: () => String },
            },
            ProcessingRecordsView: {
              generatedAt: { required: true, type: () => String },
              controller: { required: true, type: () => t['../compliance/privacy/dto/processing-record.dto'].ProcessingPartyView },
              processor: { required: true, type: () => t['../compliance/privacy/dto/processing-record.dto'].ProcessingPartyView },
              fields: { required: true, type: () => [t['../compliance/privacy/dto/processing-record.dto'].PersonalDataFieldRecordView] },
              otherStores: { required: true, type: () => [t['../compliance/privacy/dto/processing-record.dto'].OtherStoreView] },
              securityMeasures: { required: true, type: () => [String] },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/privacy/dto/privacy-deliverables.dto')),
          {
            ExportRequestView: {
              id: { required: true, type: () => String },
              type: { required: true, type: () => String },
              receivedAt: { required: true, type: () => String },
            },
            ExportControllerView: {
              organizationId: { required: true, type: () => String },
              name: { required: true, type: () => String, nullable: true },
            },
            ExportSubjectView: { email: { required: true, type: () => String } },
            ExportCompanyView: { id: { required: true, type: () => String }, name: { required: true, type: () => String, nullable: true } },
            ExportContactView: {
              id: { required: true, type: () => String },
              firstName: { required: true, type: () => String },
              lastName: { required: true, type: () => String },
              email: { required: true, type: () => String, nullable: true },
              phone: { required: true, type: () => String, nullable: true },
              company: {
                required: true,
                type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportCompanyView,
                nullable: true,
              },
              tags: { required: true, type: () => [String] },
              customFields: { required: true, type: 'object', additionalProperties: true },
              createdAt: { required: true, type: () => String },
              updatedAt: { required: true, type: () => String },
            },
            ExportMentionView: {
              id: { required: true, type: () => String },
              type: { required: true, type: () => String },
              subject: { required: true, type: () => String },
              body: { required: true, type: () => String, nullable: true },
              occurredAt: { required: true, type: () => String },
              createdAt: { required: true, type: () => String },
              updatedAt: { required: true, type: () => String },
            },
            ExportActivityView: { contactId: { required: true, type: () => String } },
            ExportInvitationView: {
              id: { required: true, type: () => String },
              email: { required: true, type: () => String },
              role: { required: true, type: () => String },
              createdAt: { required: true, type: () => String },
              expiresAt: { required: true, type: () => String },
              acceptedAt: { required: true, type: () => String, nullable: true },
              revokedAt: { required: true, type: () => String, nullable: true },
            },
            ExportAuditReferenceView: {
              seq: { required: true, type: () => Number },
              action: { required: true, type: () => String },
              occurredAt: { required: true, type: () => String },
              targetType: { required: true, type: () => String, nullable: true },
              targetId: { required: true, type: () => String, nullable: true },
            },
            PrivacyExportView: {
              format: { required: true, type: () => String },
              request: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportRequestView },
              generatedAt: { required: true, type: () => String },
              controller: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportControllerView },
              processor: { required: true, type: () => String },
              subject: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportSubjectView },
              contacts: { required: true, type: () => [t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportContactView] },
              activities: { required: true, type: () => [t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportActivityView] },
              mentions: { required: true, type: () => [t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportMentionView] },
              invitations: { required: true, type: () => [t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportInvitationView] },
              auditReferences: {
                required: true,
                type: () => [t['../compliance/privacy/dto/privacy-deliverables.dto'].ExportAuditReferenceView],
              },
              processing: {
                required: true,
                type: () => [t['../compliance/privacy/dto/processing-record.dto'].PersonalDataFieldRecordView],
              },
            },
            CertificateSubjectView: { emailSha256: { required: true, type: () => String }, hashOf: { required: true, type: () => String } },
            ErasureRecordsView: {
              contactsWithheld: { required: true, type: () => Number },
              contactsAnonymised: { required: true, type: () => Number },
              activitiesRedacted: { required: true, type: () => Number },
              mentionsRedacted: { required: true, type: () => Number },
              invitationsDeleted: { required: true, type: () => Number },
              exportsDeleted: { required: true, type: () => Number },
              idempotencyRecordsDeleted: { required: true, type: () => Number },
              cacheEntriesEvicted: { required: true, type: () => Number },
            },
            PossibleMentionsView: {
              total: { required: true, type: () => Number },
              perStore: { required: true, type: 'object', additionalProperties: { type: 'number' } },
              note: { required: true, type: () => String },
            },
            ErasureVerificationView: {
              scannedAt: { required: true, type: () => String },
              performed: { required: true, type: () => Boolean },
              searchedFor: { required: true, type: () => [String] },
              residualMatches: { required: true, type: () => Number },
              perStore: { required: true, type: 'object', additionalProperties: { type: 'number' } },
              storesNotScanned: { required: true, type: () => [String] },
              possibleMentions: {
                required: true,
                type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].PossibleMentionsView,
              },
            },
            NotCoveredView: { logs: { required: true, type: () => String }, backups: { required: true, type: () => String } },
            SignedWithView: { algorithm: { required: true, type: () => String }, keyId: { required: true, type: () => String } },
            ErasureCertificateBodyView: {
              type: { required: true, type: () => String },
              requestId: { required: true, type: () => String },
              orgId: { required: true, type: () => String },
              subject: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].CertificateSubjectView },
              receivedAt: { required: true, type: () => String },
              completedAt: { required: true, type: () => String },
              storesCovered: { required: true, type: () => [String] },
              records: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].ErasureRecordsView },
              fields: { required: true, type: () => [String] },
              method: { required: true, type: 'object', additionalProperties: { type: 'string' } },
              verification: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].ErasureVerificationView },
              notCovered: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].NotCoveredView },
              signedWith: { required: true, type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].SignedWithView },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/privacy/dto/privacy-request.dto')),
          {
            CreatePrivacyRequestDto: {
              type: { required: true, enum: ['access', 'erasure'] },
              subjectEmail: { required: true, type: () => String, maxLength: 254, format: 'email' },
            },
            ExtendPrivacyRequestDto: {
              months: { required: true, enum: [2, 1] },
              reason: { required: true, type: () => String, minLength: 1, maxLength: 500 },
            },
            RejectPrivacyRequestDto: { reason: { required: true, type: () => String, minLength: 1, maxLength: 500 } },
            ListPrivacyRequestsQuery: {
              status: { required: false, enum: ['pending', 'in_progress', 'completed', 'rejected'] },
              type: { required: false, enum: ['access', 'erasure'] },
            },
            PrivacyRequesterView: {
              type: { required: true, type: () => String },
              id: { required: true, type: () => String, nullable: true },
            },
            PrivacyRequestView: {
              id: { required: true, type: () => String },
              type: { required: true, enum: ['access', 'erasure'] },
              status: { required: true, enum: ['pending', 'in_progress', 'completed', 'rejected'] },
              subjectEmail: { required: true, type: () => String, nullable: true },
              subjectHash: { required: true, type: () => String },
              receivedAt: { required: true, type: () => String },
              dueAt: { required: true, type: () => String },
              extendedDueAt: { required: true, type: () => String, nullable: true },
              effectiveDueAt: { required: true, type: () => String },
              overdue: { required: true, type: () => Boolean },
              extensionReason: { required: true, type: () => String, nullable: true },
              rejectionReason: { required: true, type: () => String, nullable: true },
              requestedBy: { required: true, type: () => t['../compliance/privacy/dto/privacy-request.dto'].PrivacyRequesterView },
              startedAt: { required: true, type: () => String, nullable: true },
              completedAt: { required: true, type: () => String, nullable: true },
              result: { required: true, type: 'object', additionalProperties: { type: 'number' } },
              exportAvailable: { required: true, type: () => Boolean },
              exportExpiresAt: { required: true, type: () => String, nullable: true },
              certificateAvailable: { required: true, type: () => Boolean },
              updatedAt: { required: true, type: () => String },
            },
            PrivacyRequestPage: {
              data: { required: true, type: () => [t['../compliance/privacy/dto/privacy-request.dto'].PrivacyRequestView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
            CertificateSignatureView: {
              algorithm: { required: true, type: () => String },
              keyId: { required: true, type: () => String },
              value: { required: true, type: () => String },
            },
            ErasureCertificateView: {
              certificate: {
                required: true,
                type: () => t['../compliance/privacy/dto/privacy-deliverables.dto'].ErasureCertificateBodyView,
              },
              signature: { required: true, type: () => t['../compliance/privacy/dto/privacy-request.dto'].CertificateSignatureView },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/retention/dto/legal-hold.dto')),
          {
            CreateLegalHoldDto: {
              scope: { required: true, enum: ['organization', 'contact', 'category'] },
              contactId: { required: false, type: () => String, format: 'uuid' },
              category: {
                required: false,
                enum: [
                  'activities',
                  'inactive_contacts',
                  'audit_events',
                  'privacy_exports',
                  'expired_invitations',
                  'expired_idempotency_records',
                ],
              },
              reason: { required: true, type: () => String, minLength: 1, maxLength: 1000 },
            },
            ListLegalHoldsQuery: { active: { required: false, type: () => Boolean } },
            LegalHoldView: {
              id: { required: true, type: () => String },
              scope: { required: true, enum: ['organization', 'contact', 'category'] },
              contactId: { required: true, type: () => String, nullable: true },
              category: {
                required: true,
                nullable: true,
                enum: [
                  'activities',
                  'inactive_contacts',
                  'audit_events',
                  'privacy_exports',
                  'expired_invitations',
                  'expired_idempotency_records',
                ],
              },
              reason: { required: true, type: () => String },
              active: { required: true, type: () => Boolean },
              createdBy: { required: true, type: () => String, nullable: true },
              createdAt: { required: true, type: () => String },
              releasedAt: { required: true, type: () => String, nullable: true },
              releasedBy: { required: true, type: () => String, nullable: true },
            },
            LegalHoldPage: {
              data: { required: true, type: () => [t['../compliance/retention/dto/legal-hold.dto'].LegalHoldView] },
              nextCursor: { required: true, type: () => String, nullable: true },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/retention/dto/retention-policy.dto')),
          {
            SetRetentionPolicyDto: {
              durationDays: { required: true, type: () => Number, minimum: 1, maximum: 36500 },
              action: { required: true, enum: ['delete', 'anonymise'] },
            },
            RetentionPolicyView: {
              category: {
                required: true,
                enum: [
                  'activities',
                  'inactive_contacts',
                  'audit_events',
                  'privacy_exports',
                  'expired_invitations',
                  'expired_idempotency_records',
                ],
              },
              description: { required: true, type: () => String },
              durationDays: { required: true, type: () => Number },
              action: { required: true, enum: ['delete', 'anonymise'] },
              isDefault: { required: true, type: () => Boolean },
              allowedActions: { required: true, type: () => [Object], enum: ['delete', 'anonymise'], isArray: true },
              updatedAt: { required: true, type: () => String, nullable: true },
            },
            RetentionPolicyList: {
              data: { required: true, type: () => [t['../compliance/retention/dto/retention-policy.dto'].RetentionPolicyView] },
            },
            RetentionPreviewCategory: {
              category: {
                required: true,
                enum: [
                  'activities',
                  'inactive_contacts',
                  'audit_events',
                  'privacy_exports',
                  'expired_invitations',
                  'expired_idempotency_records',
                ],
              },
              action: { required: true, enum: ['delete', 'anonymise'] },
              durationDays: { required: true, type: () => Number },
              cutoff: { required: true, type: () => String },
              count: { required: true, type: () => Number },
              cascadedActivities: { required: false, type: () => Number },
              heldBy: { required: false, type: () => [String] },
            },
            RetentionPreview: {
              generatedAt: { required: true, type: () => String },
              categories: { required: true, type: () => [t['../compliance/retention/dto/retention-policy.dto'].RetentionPreviewCategory] },
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
                summary:
                  'Prometheus text exposition. With METRICS_TOKEN set, a scrape must send it as a bearer token;\nwithout one, only a server configured as public (development, or METRICS_PUBLIC=true) answers.',
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
          Promise.resolve(require('../compliance/audit/audit-verifications.controller')),
          {
            AuditVerificationsController: {
              create: { type: t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationView },
              list: { type: t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationPage },
              get: { type: t['../compliance/audit/dto/audit-verification.dto'].AuditVerificationView },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/evidence/evidence.controller')),
          {
            EvidenceController: {
              list: { type: t['../compliance/evidence/dto/evidence.dto'].EvidencePage },
              get: { type: t['../compliance/evidence/dto/evidence.dto'].EvidenceView },
              collect: { type: t['../compliance/evidence/dto/evidence.dto'].EvidenceCollectionView },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/offboarding/deletion-certificates.controller')),
          {
            DeletionCertificatesController: {
              get: {
                summary:
                  'Public on purpose: once the organization is gone no credential of it works, yet its former\nowner (and their auditor) must still fetch the proof. The id is a random UUID handed to the\nowner with the closure request, and the certificate holds no personal data.',
                type: t['../compliance/offboarding/dto/closure.dto'].DeletionCertificateView,
              },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/offboarding/organization-closures.controller')),
          {
            OrganizationClosuresController: {
              request: { type: t['../compliance/offboarding/dto/closure.dto'].ClosureView },
              current: { type: t['../compliance/offboarding/dto/closure.dto'].ClosureView },
              cancel: {},
              export: {},
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/reports/reports.controller')),
          {
            ReportsController: {
              list: { type: t['../compliance/reports/dto/report.dto'].ReportPage },
              create: { type: t['../compliance/reports/dto/report.dto'].ReportView },
              get: { type: t['../compliance/reports/dto/report.dto'].ReportView },
              download: {},
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/privacy/privacy-requests.controller')),
          {
            PrivacyRequestsController: {
              create: { type: t['../compliance/privacy/dto/privacy-request.dto'].PrivacyRequestView },
              list: { type: t['../compliance/privacy/dto/privacy-request.dto'].PrivacyRequestPage },
              get: { type: t['../compliance/privacy/dto/privacy-request.dto'].PrivacyRequestView },
              extend: { type: t['../compliance/privacy/dto/privacy-request.dto'].PrivacyRequestView },
              reject: { type: t['../compliance/privacy/dto/privacy-request.dto'].PrivacyRequestView },
              download: {},
              certificate: { type: t['../compliance/privacy/dto/privacy-request.dto'].ErasureCertificateView },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/privacy/processing-records.controller')),
          { ProcessingRecordsController: { get: { type: t['../compliance/privacy/dto/processing-record.dto'].ProcessingRecordsView } } },
        ],
        [
          Promise.resolve(require('../compliance/retention/legal-holds.controller')),
          {
            LegalHoldsController: {
              list: { type: t['../compliance/retention/dto/legal-hold.dto'].LegalHoldPage },
              create: { type: t['../compliance/retention/dto/legal-hold.dto'].LegalHoldView },
              release: {},
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/retention/retention-policies.controller')),
          {
            RetentionPoliciesController: {
              list: { type: t['../compliance/retention/dto/retention-policy.dto'].RetentionPolicyList },
              set: { type: t['../compliance/retention/dto/retention-policy.dto'].RetentionPolicyView },
              preview: { type: t['../compliance/retention/dto/retention-policy.dto'].RetentionPreview },
            },
          },
        ],
        [
          Promise.resolve(require('../compliance/signing/signing-key.controller')),
          {
            SigningKeyController: {
              get: { type: t['../compliance/signing/signing-key.controller'].SigningKeyView },
              list: {
                summary:
                  'Public on purpose: an outside auditor holds a report, not a credential of the organization,\nand must check its signature against a key they fetched independently. The document holds\npublic keys and dates only, the same for every caller.',
                type: t['../compliance/signing/signing-key.controller'].SigningKeysDocument,
              },
            },
          },
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
