/**
 * The counter and the block marker of one limiter and tracker, under a hash tag `{<tag>}`. The
 * increment script reads and writes every key of one call, so all keys of a call share the tag: a
 * Redis Cluster puts them in one slot, where a multi-key script must run. The limiters of an
 * authenticated request (the principal's and the org's) share the org's tag and so are counted in
 * one call. A tag is a name and a value (`org:<id>`): it is never empty and never begins with a brace,
 * so the hashed part is never empty; all keys of a tag begin with the same text up to and past it, so
 * they share its slot whatever the value or tracker contains, braces included.
 */
export function rateLimitKeys(tag: string, limiter: string, tracker: string): readonly [counter: string, blocked: string] {
  const counter = `rate:{${tag}}:${limiter}:${tracker}`;
  return [counter, `${counter}:blocked`];
}
