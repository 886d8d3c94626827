'use strict';

/**
 * What the small-table reference servers (minimal-bare.js, parity-bare.js) share: the contact
 * columns Atrium selects, the contact view it answers with, and reading the org out of an API key.
 * (bare-server.js, the 1M-row reference, keeps its own copies: it is older and left as measured.)
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `atr_` + 22 characters of org id (base64url) + 43 of secret, as src/tenancy/auth/tokens.ts issues them. */
const API_KEY = /^Bearer (atr_[A-Za-z0-9_-]{65})$/;

/** The org an API key names, with the key itself; null when the header is no API key. Nothing is verified here. */
function parseApiKey(header) {
  const match = API_KEY.exec(header || '');
  if (!match) return null;
  const key = match[1];
  const hex = Buffer.from(key.slice(4, 26), 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return { key, orgId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` };
}

const CONTACT_COLUMNS = `c.id, c.first_name, c.last_name, c.email, c.phone, c.company_id, c.tags, c.custom_fields,
       c.version, c.created_at, c.updated_at, co.name as company_name`;

const CONTACT_FROM = 'from contacts c left join companies co on co.id = c.company_id and co.org_id = c.org_id';

/** A contact row as Atrium presents it (`ContactView`). */
function presentContact(row) {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    companyId: row.company_id,
    company: row.company_id && row.company_name !== null ? { id: row.company_id, name: row.company_name } : null,
    tags: row.tags,
    customFields: row.custom_fields,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A list cursor as Atrium issues it; undefined when absent, null when it is not one. */
function decodeCursor(cursor) {
  if (cursor === undefined) return undefined;
  try {
    const position = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
    if (typeof position.id === 'string' && UUID.test(position.id)) return position.id;
  } catch {
    // below
  }
  return null;
}

const encodeCursor = (id) => Buffer.from(JSON.stringify({ id })).toString('base64url');

/** A list page from `limit + 1` rows: `{ data, nextCursor }` as Atrium answers it. */
function presentPage(rows, limit) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(presentContact), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

module.exports = { UUID, parseApiKey, CONTACT_COLUMNS, CONTACT_FROM, presentContact, decodeCursor, encodeCursor, presentPage };
