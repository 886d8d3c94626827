import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Signed, bearer, signup } from '../../support/factories';
import { CaseTarget, HostileCase, casesFor } from './hostile-cases';
import { OwnerRecords, createOwnerRecords, pathValuesFor } from './owner-records';
import { FuzzOperation } from './openapi-document';
import { Origin, Reply, judge, sendInject, sendRaw, sendSocket } from './hostile-transport';

/**
 * Sends hostile cases as an owner (so validation is reached) and without credentials, and collects
 * every wrong answer instead of stopping at the first.
 */

export type Pass = 'owner' | 'anonymous';

export interface Finding {
  readonly method: string;
  /** The operation's path template, or the raw URL for requests outside the document. */
  readonly path: string;
  readonly caseName: string;
  readonly pass: Pass;
  readonly status: number;
  readonly problem: string;
  readonly body: string;
  /** The request as sent, for reproducing it. */
  readonly url: string;
  readonly transport: HostileCase['transport'];
  readonly contentType?: string;
  readonly payloadPreview?: string;
}

export interface Target {
  readonly method: string;
  readonly path: string;
  readonly isPublic: boolean;
}

/**
 * Operations whose success can end or change the owner's session or organization (logout,
 * password, closure, membership): after any 2xx from them the owner signs up afresh.
 */
const CREDENTIAL_AFFECTING = /^\/v1\/(auth\/|me\/|organization\/closure|members\/)/;

/**
 * Field cases whose values only validation tells apart (types, nulls, lengths, formats): without
 * credentials they meet the same JSON parser and the same 401 as a valid body, so the anonymous pass
 * of a private operation leaves them out. Those the parser itself judges before authentication stay:
 * ill-formed Unicode and NUL (with well-formed non-ASCII text beside them), size and nesting
 * (libs/http/src/json-body-parser.ts).
 */
const PARSER_JUDGES = /NUL|surrogate|unicode|very-long|huge|10000-items|nested|deep/;
const decidedAfterAuthentication = (hostile: HostileCase): boolean =>
  hostile.name.startsWith('field:') && !PARSER_JUDGES.test(hostile.name);

/** In-flight requests per operation; credential-affecting operations go one at a time. */
const CONCURRENCY = 6;

async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function preview(payload: HostileCase['payload']): string | undefined {
  if (payload === undefined) return undefined;
  const text = Buffer.isBuffer(payload) ? `<${payload.length} bytes>` : payload;
  return text.length > 160 ? `${text.slice(0, 160)}… (${text.length} chars)` : text;
}

/**
 * Whether an owner's request got past validation: a success, or an answer only a handler gives
 * (not found, conflict, gone, precondition, or bad credentials from a public login). Pipes run
 * before handlers, so such an answer to an invalid value means the value was accepted.
 */
function passedValidation(status: number, isPublic: boolean): boolean {
  return (status >= 200 && status < 400) || [404, 409, 410, 412].includes(status) || (status === 401 && isPublic);
}

export class FuzzRunner {
  readonly findings: Finding[] = [];
  /** Owner-pass requests answered 401 (on private operations: the credential was lost) or 429 (throttled): validation was not reached. */
  readonly unreached: string[] = [];
  /** Owner-pass cases answered 2xx: not a failure here, listed for triage (which hostile values are accepted). */
  readonly accepted: string[] = [];
  readonly statusCounts = new Map<number, number>();
  /** Time spent per kind of case (summed over concurrent requests), to see what the run's time goes to. */
  readonly millisByKind = new Map<string, number>();
  readonly millisByOperation = new Map<string, number>();
  requests = 0;
  signups = 0;
  private owner!: Signed;
  private records!: OwnerRecords;

  constructor(
    private readonly app: NestFastifyApplication,
    private readonly origin: Origin,
  ) {}

  async start(): Promise<void> {
    await this.resignup();
  }

  private async resignup(): Promise<void> {
    this.owner = await signup(this.app);
    this.records = await createOwnerRecords(this.app, this.owner);
    this.signups++;
  }

  /** Whether the owner's session still answers GET /v1/me; re-signs up when it does not. */
  async ensureOwner(): Promise<void> {
    const me = await this.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(this.owner.token) });
    if (me.statusCode !== 200) await this.resignup();
  }

  private async send(hostile: HostileCase, authorization: string | undefined): Promise<Reply> {
    this.requests++;
    const started = performance.now();
    const overSocket = () =>
      hostile.transport === 'raw' ? sendRaw(this.origin, hostile.payload ?? '') : sendSocket(this.origin, hostile, authorization);
    let reply = hostile.transport === 'inject' ? await sendInject(this.app, hostile, authorization) : await overSocket();
    // A server that refuses a request before reading all of it closes with bytes unread, and the
    // kernel may then reset the connection before the client has read the answer: try once more.
    if (reply.status === 0 && hostile.transport !== 'inject') reply = await overSocket();
    this.statusCounts.set(reply.status, (this.statusCounts.get(reply.status) ?? 0) + 1);
    const kind = hostile.name.replace(/^((?:field|query|path|header):)[^:]+:/, '$1*:').replace(/\(.*$/, '');
    this.millisByKind.set(kind, (this.millisByKind.get(kind) ?? 0) + performance.now() - started);
    return reply;
  }

  private record(target: Target, hostile: HostileCase, pass: Pass, reply: Reply): void {
    const strict = pass === 'owner' || target.isPublic;
    const accepted = strict && hostile.reject && passedValidation(reply.status, target.isPublic);
    const misnamed = strict && hostile.expectStatus !== undefined && reply.status !== hostile.expectStatus;
    const problem =
      judge(reply, hostile.method) ??
      (misnamed ? `answered ${reply.status} where API.md's hardening rules say ${hostile.expectStatus}` : undefined) ??
      (accepted ? `passed validation (${reply.status}) where a 4xx is required` : undefined);
    if (!problem) return;
    this.findings.push({
      method: hostile.method,
      path: target.path,
      caseName: hostile.name,
      pass,
      status: reply.status,
      problem,
      body: reply.body.slice(0, 200),
      url: hostile.url.length > 200 ? `${hostile.url.slice(0, 200)}… (${hostile.url.length} chars)` : hostile.url,
      transport: hostile.transport,
      contentType: hostile.headers['content-type'],
      payloadPreview: preview(hostile.payload),
    });
  }

  /** Everything a person triaging a run wants: findings, what was accepted, where the time went. */
  triage(summary: string): object {
    const { findings, unreached, accepted } = this;
    return {
      summary,
      findings,
      unreached,
      accepted,
      millisByOperation: byTime(this.millisByOperation),
      millisByKind: byTime(this.millisByKind),
    };
  }

  /** One case (a burst: its copies at once) as the owner, or without credentials on a public operation; judged strictly. */
  private async exercise(target: Target, hostile: HostileCase, pass: Pass): Promise<Reply[]> {
    const authorization = pass === 'owner' ? bearer(this.owner.token).authorization : undefined;
    const replies = await Promise.all(Array.from({ length: hostile.burst ?? 1 }, () => this.send(hostile, authorization)));
    for (const reply of replies) {
      this.record(target, hostile, pass, reply);
      if (reply.status >= 200 && reply.status < 300)
        this.accepted.push(`${hostile.method} ${target.path} [${hostile.name}] → ${reply.status}`);
      // A burst may see its own effect (a logout racing a logout); a single case may not.
      const lost = (!target.isPublic && reply.status === 401 && !hostile.burst) || reply.status === 429;
      if (lost) this.unreached.push(`${hostile.method} ${target.path} [${hostile.name}] → ${reply.status}`);
    }
    return replies;
  }

  /** The operation's cases, its path naming the owner's current records. */
  casesFor(op: FuzzOperation): HostileCase[] {
    const target: CaseTarget = { ...op, pathValues: pathValuesFor(op, this.records) };
    return casesFor(target);
  }

  /**
   * Private operations: every case as the owner (except those carrying their own Authorization), so
   * validation is reached, then every case without credentials but the field cases only validation
   * tells apart. Public operations, where no
   * credential matters: every case once, without one, judged as strictly.
   */
  async run(target: Target, cases: readonly HostileCase[]): Promise<void> {
    const started = performance.now();
    if (target.isPublic) {
      await inPool(cases, CONCURRENCY, async (hostile) => void (await this.exercise(target, hostile, 'anonymous')));
    } else {
      const affecting = target.method !== 'GET' && CREDENTIAL_AFFECTING.test(target.path);
      await inPool(
        cases.filter((c) => !c.ownAuthorization),
        affecting ? 1 : CONCURRENCY,
        async (hostile) => {
          const replies = await this.exercise(target, hostile, 'owner');
          if (affecting && replies.some((reply) => reply.status >= 200 && reply.status < 300)) await this.resignup();
          else if (affecting) await this.ensureOwner();
        },
      );
      const anonymous = cases.filter((hostile) => !decidedAfterAuthentication(hostile));
      await inPool(anonymous, CONCURRENCY, async (hostile) => {
        this.record(target, hostile, 'anonymous', await this.send(hostile, undefined));
      });
    }
    await this.ensureOwner();
    this.millisByOperation.set(`${target.method} ${target.path}`, performance.now() - started);
  }
}

const byTime = (map: Map<string, number>) =>
  Object.fromEntries([...map].sort((a, b) => b[1] - a[1]).map(([key, ms]) => [key, Math.round(ms)]));

/** One line per finding: method, path, case, pass, status, what is wrong and the start of the body. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings
    .map(
      (f) =>
        `${f.method} ${f.path} [${f.caseName}] (${f.pass}, ${f.transport}) → ${f.status}: ${f.problem} | ${f.body.replace(/\s+/g, ' ')}`,
    )
    .join('\n');
}
