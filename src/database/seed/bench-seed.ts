import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { InProcessApiClient } from './api-client';

export interface BenchSeedOptions {
  readonly orgs: number;
  readonly contactsPerOrg: number;
  /** Owner connection: bulk rows are written with SQL, bypassing the API for speed. */
  readonly ownerUrl: string;
  readonly credentialsFile: string;
}

export interface BenchOrg {
  readonly orgId: string;
  readonly apiKey: string;
}

/**
 * The scale data set for benchmarks and plan checks: `orgs` organizations made through the API
 * (owner, API key), each with `contactsPerOrg` contacts (a fifth with companies, tags and an
 * activity each) bulk-inserted with `generate_series`.
 */
export async function seedBench(app: NestFastifyApplication, options: BenchSeedOptions): Promise<BenchOrg[]> {
  const logger = new Logger('BenchSeed');
  const api = new InProcessApiClient(app);
  const db = new Client({ connectionString: options.ownerUrl });
  await db.connect();
  const orgs: BenchOrg[] = [];
  try {
    for (let i = 0; i < options.orgs; i++) {
      const signup = await api.call<{ token: string; organization: { id: string } }>('POST', '/v1/auth/signup', {
        body: {
          email: `bench-owner-${i}-${Date.now()}@bench.example`,
          password: 'bench password that is long',
          name: `Bench Owner ${i}`,
          organizationName: `Bench Org ${i}`,
        },
      });
      const key = await api.call<{ secret: string }>('POST', '/v1/api-keys', {
        token: signup.body.token,
        body: { name: 'bench', scopes: ['contacts:read', 'contacts:write'] },
      });
      const orgId = signup.body.organization.id;
      await insertRows(db, orgId, options.contactsPerOrg);
      orgs.push({ orgId, apiKey: key.body.secret });
      logger.log(`org ${i + 1}/${options.orgs}: ${options.contactsPerOrg} contacts`);
    }
    await db.query('analyze companies; analyze contacts; analyze activities;');
  } finally {
    await db.end();
  }
  await mkdir(dirname(options.credentialsFile), { recursive: true });
  await writeFile(options.credentialsFile, `${JSON.stringify(orgs, null, 2)}\n`, { mode: 0o600 });
  return orgs;
}

async function insertRows(db: Client, orgId: string, contacts: number): Promise<void> {
  const companies = Math.max(1, Math.floor(contacts / 50));
  await db.query('begin');
  try {
    await db.query(
      `insert into companies (id, org_id, name, domain, industry)
       select gen_random_uuid(), $1, 'Company ' || n, 'company-' || n || '.example', (array['Software','Retail','Energy','Finance'])[1 + n % 4]
       from generate_series(1, $2) n`,
      [orgId, companies],
    );
    await db.query(
      `with company as (select id, row_number() over (order by id) as rn from companies where org_id = $1)
       insert into contacts (id, org_id, first_name, last_name, email, phone, company_id, tags, custom_fields, created_at, updated_at)
       select gen_random_uuid(), $1,
              (array['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','John','Margaret','Ken'])[1 + n % 10],
              'Surname' || n,
              'person' || n || '@customer-' || (n % 997) || '.example',
              '+1415555' || lpad((n % 10000)::text, 4, '0'),
              company.id,
              case when n % 7 = 0 then array['vip'] when n % 3 = 0 then array['prospect', 'q' || (n % 4 + 1)] else '{}' end,
              jsonb_build_object('seq', n),
              now() - make_interval(mins => $2 - n), now() - make_interval(mins => $2 - n)
       from generate_series(1, $2) n
       left join company on n % 5 = 0 and company.rn = 1 + n % $3`,
      [orgId, contacts, companies],
    );
    await db.query(
      `insert into activities (id, org_id, contact_id, type, subject, occurred_at, author_type, author_id)
       select gen_random_uuid(), org_id, id, 'note', 'Seeded note', created_at, 'user', id from contacts where org_id = $1 and company_id is not null`,
      [orgId],
    );
    await db.query('commit');
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}
