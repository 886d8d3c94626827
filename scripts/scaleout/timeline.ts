import { Client } from 'pg';
import { sleep } from '../faults/processes';
import { Topology } from './topology';

/** Seconds since the load began: every event and sample of the run is stamped with it. */
export type Clock = () => number;

export interface TimelineEvent {
  readonly at: number;
  readonly what: string;
}

/** How long the Sentinels get to announce the new primary after `SENTINEL FAILOVER`. */
const SWITCH_TIMEOUT_MS = 30_000;

/**
 * The faults of the mixed phase, at fixed shares of its length: a planned Redis failover
 * (`SENTINEL FAILOVER`) at 25 %; the replica's replay paused at 38 % for 5 % of the phase (it falls
 * behind by every write meanwhile, yet stays within the lag bound, so read-your-writes alone keeps
 * writers' reads right); the replica stopped (`pg_ctl stop -m fast`) at 55 % and started again at
 * 75 %. Each step is stamped when it was asked for and when it was done.
 */
export async function injectFaults(topology: Topology, seconds: number, clock: Clock, events: TimelineEvent[]): Promise<void> {
  const note = (what: string) => events.push({ at: clock(), what });
  const until = async (share: number) => sleep(Math.max(0, share * seconds - clock()) * 1000);

  await until(0.25);
  const oldPort = await topology.redis.masterPort();
  const watch = await topology.redis.nextSwitch();
  note(`SENTINEL FAILOVER (redis primary on port ${oldPort})`);
  await topology.redis.failover();
  const newPort = await Promise.race([watch.switched, sleep(SWITCH_TIMEOUT_MS).then(() => null)]);
  if (newPort === null) throw new Error(`no +switch-master within ${SWITCH_TIMEOUT_MS} ms of SENTINEL FAILOVER`);
  note(`+switch-master: redis primary now on port ${newPort}`);

  await until(0.38);
  await onReplica(topology, 'select pg_wal_replay_pause()');
  note('replay paused on the postgres replica (pg_wal_replay_pause)');
  await until(0.43);
  await onReplica(topology, 'select pg_wal_replay_resume()');
  note('replay resumed (pg_wal_replay_resume)');

  await until(0.55);
  note('pg_ctl stop -m fast (postgres replica)');
  await topology.replica.stop();
  note('postgres replica stopped');

  await until(0.75);
  note('pg_ctl start (postgres replica)');
  await topology.replica.resume();
  note('postgres replica accepting connections');
}

/** One statement on the replica as the superuser (replay control needs it), on a connection of its own. */
async function onReplica(topology: Topology, sql: string): Promise<void> {
  const client = new Client({ connectionString: topology.replica.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Polls every instance's /health/ready every 250 ms and records each change of its Redis state
 * (connected / degraded) and replica state (up / lagging / down): when the instances noticed the
 * faults, and when they were back on the new Redis primary and the replica.
 */
export function watchReadiness(topology: Topology, clock: Clock, events: TimelineEvent[]): () => Promise<void> {
  let running = true;
  const loops = topology.instances.map(async (instance, i) => {
    const name = `app${i + 1}`;
    let last = '';
    while (running) {
      const answer = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        async (response) => ({ status: response.status, body: (await response.json().catch(() => null)) as ReadinessBody | null }),
        () => ({ status: 0, body: null }),
      );
      const details = answer.body?.details ?? answer.body?.info ?? {};
      const state = `ready ${answer.status}, redis ${details.cache?.state ?? '?'}, replica ${details.replica?.state ?? '?'}`;
      if (state !== last) events.push({ at: clock(), what: `${name}: ${state}` });
      last = state;
      await sleep(250);
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

interface ReadinessBody {
  readonly details?: Record<string, { state?: string } | undefined>;
  readonly info?: Record<string, { state?: string } | undefined>;
}
