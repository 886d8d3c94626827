import { Client } from 'pg';

/** A query unanswered after this long drops the connection; the next query opens a new one. */
const QUERY_TIMEOUT_MS = 2_000;

export class BacklogConnectionClosedError extends Error {
  constructor() {
    super('the backlog connection is closed');
    this.name = 'BacklogConnectionClosedError';
  }
}

/**
 * The invalidation backlog's own PostgreSQL connection, outside the pool: its poll (and readiness's
 * database check) must not queue behind request traffic, or a busy pool would age every instance's
 * view of the backlog and turn caching off exactly when it helps most. Connects lazily, as the
 * runtime role, reconnects after any failure, and never again once closed.
 */
export class BacklogConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private closed = false;

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
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => null));
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** One connection attempt at a time: the backlog poll and the readiness check share it. */
  private connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new BacklogConnectionClosedError());
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<Client> {
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
    if (this.closed) {
      void client.end().catch(() => undefined);
      throw new BacklogConnectionClosedError();
    }
    this.client = client;
    return client;
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = null;
    void client.end().catch(() => undefined);
  }
}
