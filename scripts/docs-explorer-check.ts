/**
 * The browser check of the API explorer, run by scripts/ci-docs-checks.sh against a live server:
 * headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) opens /docs,
 * authorizes with a token, expands "List contacts", runs "Try it out" and waits for the live
 * response to show, then saves a screenshot. It fails on any request to another origin (the
 * explorer must work without internet), on a script error and on a Content-Security-Policy
 * violation.
 *
 *   node -r @swc-node/register scripts/docs-explorer-check.ts <baseUrl> <token> <screenshot.png>
 *
 * CHROMIUM_PATH overrides the browser binary.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const OPERATION = '#operations-Contacts-listContacts';
const TIMEOUT_MS = 30_000;

async function checkExplorer(baseUrl: string, token: string, screenshot: string): Promise<string[]> {
  const origin = new URL(baseUrl).origin;
  const problems: string[] = [];
  const userDataDir = mkdtempSync(join(tmpdir(), 'atrium-chromium-'));
  // A fresh profile each run; Playwright passes it as --user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 1000 },
  });
  try {
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin === origin) return route.continue();
      problems.push(`requested another origin: ${route.request().url()}`);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });

    await page.goto(`${baseUrl}/docs`, { waitUntil: 'domcontentloaded' });
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Atrium API' }).waitFor();

    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('.modal-ux input').first().fill(token);
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const operation = page.locator(OPERATION);
    await operation.locator('.opblock-summary-control').click();
    await operation.locator('button.try-out__btn').click();
    // Swagger UI fills a parameter with its example: the optional filters have none, so the first
    // call lists everything (only limit carries its default).
    for (const row of await operation.locator('tr[data-param-in="query"]').all()) {
      const name = await row.getAttribute('data-param-name');
      if (name === 'limit') continue;
      const input = row.locator('input[type="text"]');
      if ((await input.count()) > 0 && (await input.inputValue()) !== '')
        problems.push(`"Try it out" pre-fills the filter ${String(name)}`);
    }
    await operation.locator('button.execute').click();

    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    const code = (await status.innerText()).trim();
    const body = await operation.locator('.live-responses-table .response-col_description pre').first().innerText();
    const curl = await operation.locator('.curl-command').innerText();
    if (code !== '200') problems.push(`"Try it out" on listContacts answered ${code}: ${body.slice(0, 300)}`);
    if (!body.includes('"nextCursor"') || !body.includes('"firstName"'))
      problems.push(`the response shown is not a page of contacts: ${body.slice(0, 300)}`);
    if (!curl.includes('Authorization: Bearer')) problems.push('the request did not carry the bearer token');

    await operation.locator('.live-responses-table').scrollIntoViewIfNeeded();
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
  } catch (error) {
    problems.push(`explorer check failed: ${(error as Error).message}`);
    mkdirSync(dirname(screenshot), { recursive: true });
    await context
      .pages()[0]
      ?.screenshot({ path: screenshot })
      .catch(() => undefined);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return problems;
}

if (require.main === module) {
  const [baseUrl, token, screenshot] = process.argv.slice(2);
  if (!baseUrl || !token || !screenshot) {
    process.stderr.write('usage: docs-explorer-check.ts <baseUrl> <token> <screenshot.png>\n');
    process.exit(2);
  }
  checkExplorer(baseUrl.replace(/\/$/, ''), token, screenshot).then(
    (problems) => {
      if (problems.length > 0) {
        process.stderr.write(`Explorer check failed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
        process.exit(1);
      }
      process.stdout.write(`Explorer check passed: "Try it out" on listContacts answered 200; screenshot in ${screenshot}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`Explorer check crashed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
