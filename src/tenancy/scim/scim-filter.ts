import { Filter, parse } from 'scim2-parse-filter';
import { invalidFilter } from './scim-protocol-errors';

/**
 * SCIM filters (RFC 7644 §3.4.2.2) into SQL conditions. The grammar is parsed by a maintained
 * parser (scim2-parse-filter); this file decides what each attribute means in our tables and
 * writes the condition with `?` placeholders, never with the client's text inlined.
 */

/** How an attribute reads in SQL: a text column compared case-insensitively (caseExact false) or exactly, or a boolean. */
export interface FilterColumn {
  readonly expr: string;
  readonly type: 'text' | 'case-exact' | 'boolean';
  /** Wraps the condition for a multi-valued attribute held in another table (`exists (…)`). */
  readonly within?: (condition: string) => string;
}

/** Lower-cased attribute paths (sub-attributes dotted: `emails.value`) to their columns. */
export type FilterAttributes = Readonly<Record<string, FilterColumn>>;

export interface SqlCondition {
  readonly sql: string;
  readonly params: unknown[];
}

/** Longer filters are refused before parsing: identity providers send one or two comparisons. */
const MAX_FILTER_LENGTH = 2_000;
const MAX_FILTER_TERMS = 50;

const CORE_SCHEMA = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;

/** Parses `filter` and writes it as a condition over `attributes`; an empty filter is `true`. */
export function filterToSql(filter: string | undefined, attributes: FilterAttributes): SqlCondition {
  if (filter === undefined || filter.trim() === '') return { sql: 'true', params: [] };
  if (filter.length > MAX_FILTER_LENGTH) throw invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  let ast: Filter;
  try {
    ast = parse(filter);
  } catch {
    throw invalidFilter('The filter is not valid SCIM filter syntax (RFC 7644 §3.4.2.2).');
  }
  const params: unknown[] = [];
  const terms = { count: 0 };
  const sql = compile(ast, attributes, '', params, terms);
  return { sql, params };
}

/** `urn:…:core:2.0:User:userName` → `username`. */
export function attributeKey(path: string): string {
  return path.replace(CORE_SCHEMA, '').toLowerCase();
}

function compile(node: Filter, attributes: FilterAttributes, prefix: string, params: unknown[], terms: { count: number }): string {
  if (++terms.count > MAX_FILTER_TERMS) throw invalidFilter(`The filter has more than ${MAX_FILTER_TERMS} terms.`);
  switch (node.op) {
    case 'and':
    case 'or':
      return `(${node.filters.map((inner) => compile(inner, attributes, prefix, params, terms)).join(` ${node.op} `)})`;
    case 'not':
      return `(not ${compile(node.filter, attributes, prefix, params, terms)})`;
    case '[]':
      return compile(node.valFilter, attributes, `${prefix}${attributeKey(node.attrPath)}.`, params, terms);
    default: {
      const key = `${prefix}${attributeKey(node.attrPath)}`;
      // `emails eq "x"` means its `value` sub-attribute (RFC 7644 §3.4.2.2: a complex attribute's default).
      const column = attributes[key] ?? attributes[`${key}.value`];
      if (!column) throw invalidFilter(`Filtering on "${node.attrPath}" is not supported.`);
      const condition = node.op === 'pr' ? present(column) : compare(column, node.op, node.compValue, params);
      return column.within ? column.within(condition) : condition;
    }
  }
}

function present(column: FilterColumn): string {
  return column.type === 'boolean' ? `(${column.expr} is not null)` : `(${column.expr} is not null and ${column.expr} <> '')`;
}

const ORDERING: Record<string, string> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

function compare(column: FilterColumn, op: string, value: boolean | null | number | string, params: unknown[]): string {
  if (value === null) {
    if (op === 'eq') return `(${column.expr} is null)`;
    if (op === 'ne') return `(${column.expr} is not null)`;
    throw invalidFilter(`"${op}" cannot compare with null.`);
  }
  if (column.type === 'boolean') {
    if (typeof value !== 'boolean') throw invalidFilter('A boolean attribute compares with true or false.');
    if (op === 'eq' || op === 'ne') {
      params.push(value);
      return op === 'eq' ? `(${column.expr} = ?)` : `(${column.expr} <> ?)`;
    }
    throw invalidFilter(`"${op}" does not apply to a boolean attribute.`);
  }
  if (typeof value !== 'string') throw invalidFilter('A string attribute compares with a string.');
  const exact = column.type === 'case-exact';
  const lhs = exact ? column.expr : `lower(${column.expr})`;
  const rhs = exact ? '?' : 'lower(?)';
  switch (op) {
    case 'eq':
      params.push(value);
      return `(${lhs} = ${rhs})`;
    case 'ne':
      params.push(value);
      return `(${column.expr} is null or ${lhs} <> ${rhs})`;
    case 'co':
    case 'sw':
    case 'ew': {
      const escaped = value.replace(/[!%_]/g, '!$&');
      params.push(op === 'sw' ? `${escaped}%` : op === 'ew' ? `%${escaped}` : `%${escaped}%`);
      return `(${lhs} like ${rhs} escape '!')`;
    }
    default:
      if (!(op in ORDERING)) throw invalidFilter(`Unknown operator "${op}".`);
      params.push(value);
      return `(${lhs} ${ORDERING[op]} ${rhs})`;
  }
}
