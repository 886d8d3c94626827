import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Node 20 keeps every AsyncLocalStorage that has been entered (`run`, `enterWith`) in one list for
 * the whole process until it is disabled, and copies each listed storage's value onto every new
 * promise and callback. A Jest worker runs many test files in one process, and each file builds
 * apps with storages of their own (ours, MikroORM's, nestjs-cls's) that nothing disables: about 20
 * per file (after three files, every new promise got 60 storages copied onto it, and a loop of 10,000
 * awaits took 127 ms instead of 50), so a worker's later files ran several times slower (the OpenAPI
 * fuzz: 190 s late in a run, 48 s alone) and kept the earlier files' modules in memory.
 *
 * So each file records the storages it enters, and the next file in the same worker starts by
 * disabling them: by then the previous file's tests, hooks and teardown have all run. Node's own
 * list is not reachable; the record lives on the (process-wide) AsyncLocalStorage class.
 */
// A plain string key: each test file runs in a realm of its own, the class is shared by all of them.
const ENTERED = '__atriumEnteredStorages';

type Storage = AsyncLocalStorage<unknown>;
type RecordingClass = typeof AsyncLocalStorage & { [ENTERED]?: Set<Storage> };

const storageClass = AsyncLocalStorage as RecordingClass;

// The worker's first file wraps `run` and `enterWith` once; the record exists from then on.
if (!storageClass[ENTERED]) {
  const prototype = AsyncLocalStorage.prototype as Storage;
  const { run, enterWith } = prototype;
  prototype.run = function recordedRun(this: Storage, ...args: Parameters<Storage['run']>) {
    storageClass[ENTERED]?.add(this);
    return run.apply(this, args);
  } as Storage['run'];
  prototype.enterWith = function recordedEnterWith(this: Storage, store: unknown) {
    storageClass[ENTERED]?.add(this);
    return enterWith.call(this, store);
  };
}

for (const storage of storageClass[ENTERED] ?? []) storage.disable();
storageClass[ENTERED] = new Set();
