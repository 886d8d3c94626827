import { Client } from 'pg';

/** A query unanswered after this long drops the connection; the next poll opens a new one. */
const QUERY_TIMEOUT_MS = 2_000;

/**
 * The invalidation backlog's own PostgreSQL connection, outside the pool: its poll must not queue
 * behind request traffic, or a busy pool would age every instance's view of the backlog and turn
 * caching off exactly when it helps most. Connects lazily, as the runtime role, and reconnects
 * after any failure.
 */
export class BacklogConnection {
  private client: Client | null = null;

  constructor(
    private readonly url: string,
    private readonly role: string,
  ) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await this.connect();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('backlog query timed out')), QUERY_TIMEOUT_MS);
    });
    try {
      return (await Promise.race([client.query(sql, params), timeout])).rows as T[];
    } catch (error) {
      this.drop(client);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.url,
      application_name: 'atrium-cache-backlog',
      options: `-c role=${this.role}`,
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
    });
    client.on('error', () => this.drop(client));
    try {
      await client.connect();
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = null;
    void client.end().catch(() => undefined);
  }
}
