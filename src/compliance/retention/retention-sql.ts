/** A piece of SQL with its `?` parameters in order, for `em.execute(sql, params)`. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * Builds a fragment from a template: interpolated fragments are spliced in with their
 * parameters, any other value becomes a `?` parameter. The retention predicates are composed from
 * many pieces; this keeps each parameter next to the text that uses it, so none can shift.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((value, index) => {
    if (isFragment(value)) {
      text += value.sql;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[index + 1];
  });
  return { sql: text, params };
}

/** Joins fragments with a separator (e.g. ` and `, `, `). */
export function join(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  return {
    sql: fragments.map((fragment) => fragment.sql).join(separator),
    params: fragments.flatMap((fragment) => fragment.params),
  };
}

/** SQL text without parameters, for the fixed parts a builder chooses (never client input). */
export function raw(text: string): SqlFragment {
  return { sql: text, params: [] };
}

function isFragment(value: unknown): value is SqlFragment {
  return typeof value === 'object' && value !== null && 'sql' in value && 'params' in value;
}
