/**
 * The largest of `floor` and `values`. `Math.max(...list)` passes every element
 * as an argument and overflows the stack past about 100 000 of them: a listing
 * of 270 000 calls, a call with that many messages.
 */
export function maxOf(values: Iterable<number>, floor = -Infinity): number {
  let max = floor;
  for (const v of values) if (v > max) max = v;
  return max;
}
