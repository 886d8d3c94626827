import { invalidValue } from './scim-protocol-errors';
import { attributeList } from './scim-resources';
import { SCIM_DEFAULT_COUNT, SCIM_MAX_COUNT } from './scim-schemas';

/** The query of a SCIM list (RFC 7644 §3.4.2): filter, 1-based `startIndex`, `count`, and the attribute projections. */
export interface ScimListQuery {
  readonly filter?: string;
  readonly startIndex: number;
  readonly count: number;
  readonly attributes?: string[];
  readonly excludedAttributes?: string[];
}

export interface RawScimQuery {
  readonly filter?: unknown;
  readonly startIndex?: unknown;
  readonly count?: unknown;
  readonly attributes?: unknown;
  readonly excludedAttributes?: unknown;
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidValue(`"${name}" is given once.`);
  return value;
}

function integer(value: unknown, name: string): number | undefined {
  const raw = text(value, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,9}$/.test(raw.trim())) throw invalidValue(`"${name}" is an integer.`);
  return Number(raw);
}

/** RFC 7644 §3.4.2.4: a `startIndex` below 1 counts as 1, a negative `count` as 0; larger counts are capped at the maximum. */
export function parseListQuery(raw: RawScimQuery): ScimListQuery {
  const startIndex = Math.max(1, integer(raw.startIndex, 'startIndex') ?? 1);
  const count = Math.min(SCIM_MAX_COUNT, Math.max(0, integer(raw.count, 'count') ?? SCIM_DEFAULT_COUNT));
  return {
    filter: text(raw.filter, 'filter'),
    startIndex,
    count,
    attributes: attributeList(text(raw.attributes, 'attributes')),
    excludedAttributes: attributeList(text(raw.excludedAttributes, 'excludedAttributes')),
  };
}
