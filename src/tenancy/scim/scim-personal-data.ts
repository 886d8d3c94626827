import { declarePersonalDataColumn } from '@app/personal-data';

/**
 * The personal data of the SCIM tables, which have no entity (SCIM is all SQL): `scim_users`
 * keeps the identity provider's own id for the person (`externalId`, often an employee number or
 * the IdP's user id), which names them as surely as their email. Names and emails stay on `users`.
 * Like the account it belongs to (`users`), it is kept while the link exists and goes with the
 * account, the SCIM DELETE of the person, or the organization's closure.
 */
declarePersonalDataColumn(
  'ScimUser',
  'externalId',
  { table: 'scim_users', column: 'external_id', columnType: 'text', nullable: true },
  {
    category: 'online_identifiers',
    purpose: "Provisioning the organization's members from its identity provider (SCIM): the provider's id for the person",
    retention: 'accounts',
    erasure: 'null',
  },
);
