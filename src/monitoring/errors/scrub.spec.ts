import pino from 'pino';
import { scrubEvent, scrubText, serializeLoggedError } from './scrub';

describe('scrub', () => {
  const sessionToken = 'q3Vh8v0m1mJ0x2m5cTqk8kq1Yv3Jt9sR1y2b3c4d5e6';
  const apiKey = `atr_${'A'.repeat(22)}${'b'.repeat(43)}`;

  it('removes emails, bearer credentials, API keys and session tokens from text', () => {
    const text = `user ada@example.com sent Bearer ${sessionToken} and ${apiKey} then ${sessionToken}`;
    const scrubbed = scrubText(text);
    expect(scrubbed).not.toContain('ada@example.com');
    expect(scrubbed).not.toContain(sessionToken);
    expect(scrubbed).not.toContain(apiKey);
    expect(scrubbed).toContain('user [redacted-email] sent Bearer [redacted]');
  });

  it('drops bodies, cookies, credential headers and user details from events', () => {
    const event = scrubEvent({
      message: 'failed for grace@navy.example',
      request: {
        data: { firstName: 'Grace' },
        cookies: { sid: 'x' },
        headers: { authorization: `Bearer ${sessionToken}`, 'user-agent': 'curl' },
      },
      user: { id: 'u1', email: 'grace@navy.example', ip_address: '10.0.0.1' },
      exception: { values: [{ value: `token ${apiKey} rejected` }] },
      breadcrumbs: [{ message: 'login grace@navy.example', data: { password: 'hunter2', url: '/v1/me' } }],
    });
    const text = JSON.stringify(event);
    for (const secret of ['grace@navy.example', sessionToken, apiKey, 'hunter2', 'Grace', '10.0.0.1']) expect(text).not.toContain(secret);
    expect(event.request).toEqual({ headers: { 'user-agent': 'curl' } });
    expect(event.user).toEqual({ id: 'u1' });
  });
});

describe('serializeLoggedError', () => {
  it('keeps the statement shape and the stack, drops the values and the driver detail', () => {
    const error = Object.assign(
      new Error(
        `insert into "contacts" ("first_name", "email") values ('Ada', 'ada@example.com') - invalid input syntax for type uuid: "Lovelace"`,
      ),
      { code: '22P02', detail: 'Key (email)=(ada@example.com) already exists.', where: 'jsonb Ada' },
    );
    const logged = JSON.stringify(serializeLoggedError(error, pino.stdSerializers.err));
    expect(logged).toContain('insert into \\"contacts\\" (\\"first_name\\", \\"email\\") values (?, ?)');
    expect(logged).toContain('22P02');
    expect(logged).toMatch(/scrub\.spec\.ts:\d+/);
    expect(logged).not.toMatch(/\bAda\b|ada@|Lovelace/);
  });
});
