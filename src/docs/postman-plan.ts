import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { HttpMethod, accessOf, isPage, operationsOf, successSchema } from './operations';
import { OperationScenario, SCENARIO } from './postman-scenario';
import {
  IdVariable,
  bodyExampleOf,
  idVariableName,
  listedFields,
  pathParams,
  register,
  resourceIdName,
  topLevelFields,
} from './postman-variables';

/**
 * The order one run of the Postman collection takes, derived from the document: a folder per tag,
 * each ordered Create → Get → List → Update → Delete, and every request after the ones that give it
 * the ids it uses. A create keeps the id it returns in the variable its detail requests use
 * (`createContact` → `{{contactId}}` of `/v1/contacts/{id}`). A folder whose requests use an id that
 * another folder deletes runs inside that folder, before the delete (Activities in Contacts).
 * Requests that end the session the run is on go to a last folder.
 */

export type Phase = 'create' | 'get' | 'list' | 'update' | 'delete';
const PHASES: readonly Phase[] = ['create', 'get', 'list', 'update', 'delete'];

export const END_FOLDER = {
  name: 'End the session',
  description: 'Runs last: these requests end the session the collection runs on.',
};

export interface PlannedOperation {
  readonly id: string;
  readonly path: string;
  readonly method: HttpMethod;
  readonly operation: OperationObject;
  readonly tag: string;
  readonly phase: Phase;
  readonly index: number;
  readonly scenario: OperationScenario;
  /** Path parameter → variable. */
  readonly pathVariables: ReadonlyMap<string, string>;
  /** The documented example of the JSON request body, if it takes one. */
  readonly bodyExample: unknown;
  /** Top-level body fields sent as `{{variable}}` (an id another request made, or the scenario's template). */
  readonly bodyTemplates: Readonly<Record<string, string>>;
  /** Variable → path in the success body. */
  readonly captures: Readonly<Record<string, string>>;
  /** A list fills these id variables from its first item that is not the caller's own, when no create did. */
  readonly fills: readonly { readonly variable: string; readonly field: string }[];
  readonly needs: ReadonlySet<string>;
  readonly kills: ReadonlySet<string>;
}

export interface PlannedFolder {
  readonly name: string;
  readonly description?: string;
  readonly entries: (PlannedOperation | PlannedFolder)[];
}

export interface CollectionPlan {
  readonly folders: PlannedFolder[];
  /** Variables the run sets, in the order first set, with who sets them. */
  readonly dynamic: ReadonlyMap<string, string>;
  /** Path variables nothing sets: their example is their value. */
  readonly fixed: ReadonlyMap<string, string>;
}

export function isFolder(entry: PlannedOperation | PlannedFolder): entry is PlannedFolder {
  return 'entries' in entry;
}

export function planCollection(document: OpenAPIObject): CollectionPlan {
  const located = operationsOf(document);
  const idVariables = new Map<string, IdVariable>();
  for (const { path, operation } of located) for (const param of pathParams(document, operation)) register(idVariables, path, param);
  const createdIds = new Set(
    located
      .filter(({ method, operation }) => method === 'post' && topLevelFields(document, operation).includes('id'))
      .map(({ path }) => resourceIdName(path)),
  );
  const operations = located.map(({ path, method, operation }, index) =>
    planOperation(document, path, method, operation, index, idVariables, createdIds),
  );
  pruneUnusedCaptures(operations);
  return {
    folders: arrangeFolders(document, operations),
    ...variablesOf(operations, idVariables),
  };
}

function planOperation(
  document: OpenAPIObject,
  path: string,
  method: HttpMethod,
  operation: OperationObject,
  index: number,
  idVariables: ReadonlyMap<string, IdVariable>,
  createdIds: ReadonlySet<string>,
): PlannedOperation {
  const id = operation.operationId ?? `${method} ${path}`;
  const scenario = SCENARIO[id] ?? {};
  const segments = path.split('/').filter(Boolean);
  const pathVariables = new Map(
    pathParams(document, operation).map((param) => [
      param.name,
      scenario.pathVariables?.[param.name] ?? idVariableName(segments, param.name),
    ]),
  );
  const bodyExample = bodyExampleOf(document, operation);
  const ownId = method === 'post' ? resourceIdName(path) : undefined;
  const bodyTemplates: Record<string, string> = {};
  const exampleFields =
    typeof bodyExample === 'object' && bodyExample !== null && !Array.isArray(bodyExample) ? Object.keys(bodyExample) : [];
  for (const field of exampleFields)
    if (field !== ownId && (createdIds.has(field) || idVariables.has(field))) bodyTemplates[field] = `{{${field}}}`;
  Object.assign(bodyTemplates, scenario.body);

  const captures: Record<string, string> = {};
  const fields = topLevelFields(document, operation);
  const phase = phaseOf(document, method, path, operation);
  if (method === 'post' && fields.includes('id') && ownId) captures[ownId] = 'id';
  if (method === 'post' && !path.includes('{')) {
    for (const variable of idVariables.values()) {
      if (!path.startsWith(`${variable.collectionPath}/`)) continue;
      if (fields.includes(variable.param)) captures[variable.name] = variable.param;
      else if (listedFields(document, operation).includes(variable.param)) captures[variable.name] = `data.0.${variable.param}`;
    }
  }
  Object.assign(captures, scenario.captures);
  const fills =
    phase === 'list'
      ? [...idVariables.values()]
          .filter((variable) => variable.collectionPath === path || variable.name === resourceIdName(path))
          .map((variable) => ({ variable: variable.name, field: variable.param }))
      : [];

  const needs = new Set<string>();
  const note = (text: string) => {
    for (const match of text.matchAll(/\{\{([A-Za-z][\w]*)\}\}/g)) needs.add(match[1]);
  };
  pathVariables.forEach((variable) => needs.add(variable));
  Object.values(bodyTemplates).forEach(note);
  if (scenario.waitFor) note(scenario.waitFor.path);
  if (scenario.fresh) {
    const fresh = SCENARIO[scenario.fresh.operationId];
    Object.values({ ...fresh?.body, ...scenario.fresh.body }).forEach(note);
    Object.keys(fresh?.before ?? {}).forEach((name) => needs.delete(name));
    needs.delete(scenario.fresh.variable);
  }
  Object.keys(scenario.before ?? {}).forEach((name) => needs.delete(name));
  needs.delete('token');
  return {
    id,
    path,
    method,
    operation,
    tag: operation.tags?.[0] ?? 'Other',
    phase,
    index,
    scenario,
    pathVariables,
    bodyExample,
    bodyTemplates,
    captures,
    fills,
    needs,
    kills: new Set(method === 'delete' ? pathVariables.values() : []),
  };
}

function phaseOf(document: OpenAPIObject, method: HttpMethod, path: string, operation: OperationObject): Phase {
  if (method === 'delete') return 'delete';
  if (method === 'get') return isPage(document, successSchema(operation)) ? 'list' : 'get';
  if (method === 'post') {
    const status = Object.keys(operation.responses ?? {}).find((code) => /^2\d\d$/.test(code));
    if (accessOf(operation).kind === 'public' || (!/\}$/.test(path) && (status === '201' || status === '202'))) return 'create';
  }
  return 'update';
}

/** Captures nobody reads are left out, except those the scenario asks for. */
function pruneUnusedCaptures(operations: PlannedOperation[]): void {
  const read = new Set(operations.flatMap((op) => [...op.needs]));
  for (const op of operations) {
    const captures = op.captures as Record<string, string>;
    for (const name of Object.keys(captures))
      if (!read.has(name) && !op.scenario.captures?.[name] && name !== 'token') delete captures[name];
  }
}

/** Who sets what: creates, captures and the scenario; a list's fill only counts when nothing else sets a variable. */
export function producersOf(operations: readonly PlannedOperation[]): Map<string, PlannedOperation[]> {
  const primary = new Map<string, PlannedOperation[]>();
  const fillers = new Map<string, PlannedOperation[]>();
  const add = (map: Map<string, PlannedOperation[]>, name: string, op: PlannedOperation) => map.set(name, [...(map.get(name) ?? []), op]);
  for (const op of operations) {
    const fresh = op.scenario.fresh ? [op.scenario.fresh.variable] : [];
    for (const name of [
      ...Object.keys(op.captures),
      ...Object.keys(op.scenario.keeps ?? {}),
      ...Object.keys(op.scenario.before ?? {}),
      ...fresh,
    ])
      add(primary, name, op);
    for (const { variable } of op.fills) add(fillers, variable, op);
  }
  for (const [name, ops] of fillers) if (!primary.has(name)) primary.set(name, ops);
  return primary;
}

function variablesOf(
  operations: readonly PlannedOperation[],
  idVariables: ReadonlyMap<string, IdVariable>,
): Pick<CollectionPlan, 'dynamic' | 'fixed'> {
  const producers = producersOf(operations);
  const dynamic = new Map<string, string>();
  for (const [name, ops] of producers)
    if (name !== 'token') dynamic.set(name, `Set by ${ops.map((op) => `“${op.operation.summary ?? op.id}”`).join(', ')}.`);
  const fixed = new Map<string, string>();
  for (const variable of idVariables.values()) if (!dynamic.has(variable.name)) fixed.set(variable.name, variable.example);
  return { dynamic, fixed };
}

function arrangeFolders(document: OpenAPIObject, operations: PlannedOperation[]): PlannedFolder[] {
  const producers = producersOf(operations);
  const tagOrder = [...(document.tags ?? []).map((tag) => tag.name), ...operations.map((op) => op.tag)];
  const tags = [...new Set(tagOrder)].filter((tag) => operations.some((op) => op.tag === tag && !op.scenario.endsSession));
  const byTag = new Map(tags.map((tag) => [tag, operations.filter((op) => op.tag === tag && !op.scenario.endsSession)]));
  const owner = (op: PlannedOperation) => op.tag;

  // A folder that reads an id another folder deletes runs inside that folder, before the delete.
  const parentOf = new Map<string, { parent: string; before: string; note: string }>();
  for (const tag of tags) {
    for (const variable of new Set((byTag.get(tag) ?? []).flatMap((op) => [...op.needs]))) {
      const maker = producers.get(variable)?.find((op) => owner(op) !== tag && !op.scenario.endsSession);
      const killer = maker && byTag.get(owner(maker))?.find((op) => op.kills.has(variable));
      if (!maker || !killer || parentOf.has(tag) || ancestors(parentOf, owner(maker)).includes(tag)) continue;
      const note = `Runs inside ${owner(maker)}, before “${killer.operation.summary ?? killer.id}”: it uses the \`{{${variable}}}\` made there.`;
      parentOf.set(tag, { parent: owner(maker), before: killer.id, note });
    }
  }
  const folderOf = (tag: string): PlannedFolder => {
    const sequence: (PlannedOperation | PlannedFolder)[] = orderOperations(byTag.get(tag) ?? [], producers);
    for (const [child, { parent, before }] of parentOf) {
      if (parent !== tag) continue;
      const at = sequence.findIndex((entry) => !isFolder(entry) && entry.id === before);
      sequence.splice(at < 0 ? sequence.length : at, 0, folderOf(child));
    }
    const description = [document.tags?.find((candidate) => candidate.name === tag)?.description, parentOf.get(tag)?.note].filter(Boolean);
    return { name: tag, ...(description.length > 0 ? { description: description.join('\n\n') } : {}), entries: sequence };
  };
  const roots = orderFolders(
    tags.filter((tag) => !parentOf.has(tag)),
    (tag) => [tag, ...descendants(parentOf, tag)].flatMap((member) => byTag.get(member) ?? []),
    producers,
  );
  const last = operations.filter((op) => op.scenario.endsSession);
  return [...roots.map(folderOf), ...(last.length ? [{ ...END_FOLDER, entries: orderOperations(last, producers) }] : [])];
}

/** Create → Get → List → Update → Delete, each after what it needs and before what deletes what it uses. */
function orderOperations(operations: readonly PlannedOperation[], producers: ReadonlyMap<string, PlannedOperation[]>): PlannedOperation[] {
  const rank = (op: PlannedOperation) => PHASES.indexOf(op.phase) * 10_000 + op.index;
  const before = new Map(operations.map((op) => [op.id, new Set<string>()]));
  const members = new Set(operations.map((op) => op.id));
  for (const op of operations) {
    for (const variable of op.needs) {
      // Set earlier in the natural order is enough: a later request may set it again (a changed password).
      const makers = (producers.get(variable) ?? []).filter((maker) => members.has(maker.id) && maker !== op);
      const earlier = makers.filter((maker) => rank(maker) < rank(op));
      for (const maker of earlier.length > 0 ? earlier : makers) before.get(op.id)?.add(maker.id);
    }
    for (const other of operations)
      if (other !== op && [...op.kills].some((name) => other.needs.has(name) && !other.kills.has(name))) before.get(op.id)?.add(other.id);
    for (const earlier of op.scenario.after ?? []) if (members.has(earlier)) before.get(op.id)?.add(earlier);
  }
  return topological(
    operations,
    (op) => [...(before.get(op.id) ?? [])],
    rank,
    (op) => op.id,
  );
}

function orderFolders(
  tags: readonly string[],
  membersOf: (tag: string) => PlannedOperation[],
  producers: ReadonlyMap<string, PlannedOperation[]>,
): string[] {
  const dependsOn = (tag: string) => {
    const own = new Set(membersOf(tag).map((op) => op.id));
    return tags.filter(
      (other) =>
        other !== tag &&
        membersOf(tag).some((op) =>
          [...op.needs].some((name) => {
            const makers = producers.get(name) ?? [];
            return !makers.some((maker) => own.has(maker.id)) && makers.some((maker) => membersOf(other).includes(maker));
          }),
        ),
    );
  };
  return topological(
    tags,
    dependsOn,
    (tag) => tags.indexOf(tag),
    (tag) => tag,
  );
}

/** Kahn's algorithm, lowest rank first among the ready; a cycle falls back to rank order. */
function topological<T>(items: readonly T[], after: (item: T) => string[], rank: (item: T) => number, key: (item: T) => string): T[] {
  const done = new Set<string>();
  const result: T[] = [];
  const keys = new Set(items.map(key));
  const remaining = [...items].sort((a, b) => rank(a) - rank(b));
  while (remaining.length > 0) {
    const ready = remaining.findIndex((item) => after(item).every((dependency) => done.has(dependency) || !keys.has(dependency)));
    const [next] = remaining.splice(ready < 0 ? 0 : ready, 1);
    done.add(key(next));
    result.push(next);
  }
  return result;
}

function ancestors(parentOf: ReadonlyMap<string, { parent: string }>, tag: string): string[] {
  const chain: string[] = [];
  for (let current = parentOf.get(tag)?.parent; current && !chain.includes(current); current = parentOf.get(current)?.parent)
    chain.push(current);
  return chain;
}

function descendants(parentOf: ReadonlyMap<string, { parent: string }>, tag: string): string[] {
  return [...parentOf.keys()].filter((child) => ancestors(parentOf, child).includes(tag));
}
