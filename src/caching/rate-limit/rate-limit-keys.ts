/**
 * The counter and the block marker of one limiter and tracker. The increment script reads and
 * writes both in one call, so both carry the hash tag `{<limiter>:<tracker>}`: a Redis Cluster
 * puts them in one slot, where a multi-key script must run. (Both keys begin with the same text up
 * to and past the tag, so they share it whatever the tracker contains, braces included.)
 */
export function rateLimitKeys(limiter: string, tracker: string): readonly [counter: string, blocked: string] {
  const counter = `rate:{${limiter}:${tracker}}`;
  return [counter, `${counter}:blocked`];
}
