import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InProcessApiClient } from './api-client';

export interface DemoCredentials {
  readonly email: string;
  readonly password: string;
  readonly organizationId: string;
  readonly apiKey: string;
}

const DEMO_EMAIL = 'demo@atrium.example';

const COMPANIES = [
  { name: 'Analytical Engines Ltd', domain: 'analytical-engines.example', industry: 'Computing' },
  { name: 'Compiler Works', domain: 'compiler.example', industry: 'Software' },
  { name: 'Difference Partners', domain: 'difference.example', industry: 'Consulting' },
];

const CONTACTS = [
  {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@analytical-engines.example',
    phone: '+442071838750',
    company: 0,
    tags: ['vip', 'founder'],
  },
  { firstName: 'Charles', lastName: 'Babbage', email: 'charles@analytical-engines.example', company: 0, tags: ['founder'] },
  { firstName: 'Grace', lastName: 'Hopper', email: 'grace@compiler.example', phone: '+14155550123', company: 1, tags: ['vip'] },
  { firstName: 'Alan', lastName: 'Turing', email: 'alan@difference.example', company: 2, tags: ['prospect'] },
  { firstName: 'Katherine', lastName: 'Johnson', email: 'katherine@example.org', tags: ['prospect', 'Q3 lead'] },
];

/**
 * A demo organization with an owner, an API key, companies, contacts and activities. Created once;
 * its credentials are kept in `file` (readable by this user only) and returned on every later call,
 * so the embedded demo can print a working API key at each start.
 */
export async function seedDemo(app: NestFastifyApplication, file: string): Promise<DemoCredentials> {
  const logger = new Logger('Seed');
  if (existsSync(file)) {
    const saved = JSON.parse(await readFile(file, 'utf8')) as DemoCredentials;
    const api = new InProcessApiClient(app);
    const check = await api.call('GET', '/v1/me', { token: saved.apiKey, expect: [200, 401] });
    if (check.status === 200) return saved;
    logger.warn(`The demo credentials in ${file} no longer work (another database?); seeding again`);
  }
  const api = new InProcessApiClient(app);
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  const email = DEMO_EMAIL.replace('@', `+${randomBytes(3).toString('hex')}@`);
  const signup = await api.call<{ token: string; organization: { id: string } }>('POST', '/v1/auth/signup', {
    body: { email, password, name: 'Demo Owner', organizationName: 'Atrium Demo' },
  });
  const token = signup.body.token;
  const key = await api.call<{ secret: string }>('POST', '/v1/api-keys', {
    token,
    body: { name: 'Demo key', scopes: ['org:read', 'members:read', 'contacts:read', 'contacts:write'] },
  });

  const companyIds: string[] = [];
  for (const company of COMPANIES) {
    companyIds.push((await api.call<{ id: string }>('POST', '/v1/companies', { token, body: company })).body.id);
  }
  for (const [index, { company, ...contact }] of CONTACTS.entries()) {
    const created = await api.call<{ id: string }>('POST', '/v1/contacts', {
      token,
      body: { ...contact, ...(company !== undefined ? { companyId: companyIds[company] } : {}), customFields: { source: 'demo' } },
    });
    await api.call('POST', `/v1/contacts/${created.body.id}/activities`, {
      token,
      body: {
        type: index % 2 ? 'call' : 'meeting',
        subject: `Intro with ${contact.firstName}`,
        occurredAt: new Date(Date.now() - (index + 1) * 86_400_000).toISOString(),
      },
    });
  }

  const credentials: DemoCredentials = { email, password, organizationId: signup.body.organization.id, apiKey: key.body.secret };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  logger.log(`Seeded the demo organization ${credentials.organizationId}`);
  return credentials;
}
