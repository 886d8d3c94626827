import { bodyCases, burstCases, fieldCases, strayBodyCases } from './body-cases';
import { CaseTarget, HostileCase, hasBody } from './case-target';
import { validObject } from './hostile-values';
import { headerCases, pathCases, queryCases } from './parameter-cases';

export type { CaseTarget, HostileCase } from './case-target';

/** The hostile requests for one operation, generated from its schema. */
export function casesFor(op: CaseTarget): HostileCase[] {
  const schema = op.body ?? {};
  const base = validObject(schema, op.id);
  return [
    ...(hasBody(op) ? [...bodyCases(op, base), ...burstCases(op, base)] : []),
    ...(op.body?.properties ? fieldCases(op, schema, base) : []),
    ...pathCases(op),
    ...queryCases(op),
    ...headerCases(op),
    ...strayBodyCases(op),
  ];
}
