import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Seeds go through the public API in-process (`inject`), so seeded data passes the same validation and tenant checks as any client's. */
export class InProcessApiClient {
  constructor(private readonly app: NestFastifyApplication) {}

  async call<T>(
    method: 'GET' | 'POST',
    url: string,
    options: { token?: string; body?: object; expect?: number[] } = {},
  ): Promise<{ status: number; body: T }> {
    const response = await this.app.inject({
      method,
      url,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      ...(options.body ? { payload: options.body } : {}),
    });
    const expected = options.expect ?? [200, 201];
    if (!expected.includes(response.statusCode)) {
      throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    }
    return { status: response.statusCode, body: (response.body ? response.json() : undefined) as T };
  }
}
