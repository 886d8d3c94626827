import { generateKeyPairSync, verify } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { signup } from '../../support/factories';
import { caller } from '../../support/client';
import { useScratchDatabase } from '../../support/scratch-database';
import { createTestApp } from '../../support/test-app';

/**
 * Key history across a rotation: a report signed before it still verifies with the published,
 * now retired, key. A scratch database, since a rotation changes which key the cluster signs with.
 */

useScratchDatabase('signing_keys');

interface PublishedKey {
  keyId: string;
  fingerprintSha256: string;
  publicKeyPem: string;
  validFrom: string;
  retiredAt: string | null;
}

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const PERIOD = { from: new Date(NOW.getTime() - 86_400_000).toISOString(), to: NOW.toISOString() };

async function withApp<T>(env: Record<string, string>, work: (app: NestFastifyApplication) => Promise<T>): Promise<T> {
  const { app } = await createTestApp({ env });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

async function publishedKeys(app: NestFastifyApplication): Promise<PublishedKey[]> {
  const response = await app.inject({ method: 'GET', url: '/.well-known/atrium-signing-keys.json' });
  expect(response.statusCode).toBe(200);
  return response.json().keys;
}

/** A report made and downloaded by a fresh org: its manifest bytes, signature and key id. */
async function signedReport(app: NestFastifyApplication) {
  const owner = await signup(app);
  const call = caller(app);
  const created = await call('POST', '/v1/compliance/reports', owner.token, PERIOD);
  expect(created.statusCode).toBe(201);
  const download = (format: string) => call('GET', `/v1/compliance/reports/${created.json().id}/download?format=${format}`, owner.token);
  const manifest = (await download('manifest')).rawPayload;
  return { manifest, signature: (await download('signature')).rawPayload, keyId: JSON.parse(manifest.toString('utf8')).keyId as string };
}

it('publishes the retired key beside the new one, and reports signed before the rotation still verify', async () => {
  const before = await withApp({}, async (app) => ({ report: await signedReport(app), keys: await publishedKeys(app) }));
  expect(before.keys).toEqual([expect.objectContaining({ keyId: before.report.keyId, retiredAt: null })]);

  const configured = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const after = await withApp({ SIGNING_PRIVATE_KEY: configured }, async (app) => ({
    report: await signedReport(app),
    keys: await publishedKeys(app),
  }));
  expect(after.report.keyId).not.toBe(before.report.keyId);
  const [old, current] = after.keys;
  expect(after.keys).toHaveLength(2);
  expect(old).toMatchObject({ keyId: before.report.keyId, validFrom: before.keys[0].validFrom, retiredAt: expect.any(String) });
  expect(current).toMatchObject({ keyId: after.report.keyId, retiredAt: null });
  expect(Date.parse(old.retiredAt as string)).toBeGreaterThanOrEqual(Date.parse(old.validFrom));
  expect(Date.parse(current.validFrom)).toBeGreaterThanOrEqual(Date.parse(old.validFrom));

  for (const { report, key } of [
    { report: before.report, key: old },
    { report: after.report, key: current },
  ]) {
    expect(verify(null, report.manifest, key.publicKeyPem, report.signature)).toBe(true);
  }
  expect(verify(null, before.report.manifest, current.publicKeyPem, before.report.signature)).toBe(false);
});
