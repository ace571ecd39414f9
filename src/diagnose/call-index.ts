/**
 * Rules that look across calls (the incoming leg of a forward, a Call-ID
 * twin) must not scan every call for every call: 10,000 calls made that
 * quadratic. Each index is built once per set of calls and kept alongside it.
 */
type Indexes = Map<string, Map<string, readonly unknown[]>>;
const built = new WeakMap<readonly object[], Indexes>();

/** The calls grouped by `key(call)`, built once per `calls` array and `name`. */
export function indexCalls<C extends object>(calls: readonly C[], name: string, key: (c: C) => string | undefined): ReadonlyMap<string, readonly C[]> {
  let byName = built.get(calls);
  if (byName === undefined) {
    byName = new Map();
    built.set(calls, byName);
  }
  let index = byName.get(name) as Map<string, C[]> | undefined;
  if (index === undefined) {
    index = new Map();
    for (const c of calls) {
      const k = key(c);
      if (k === undefined) continue;
      const list = index.get(k);
      if (list === undefined) index.set(k, [c]);
      else list.push(c);
    }
    byName.set(name, index as Map<string, readonly unknown[]>);
  }
  return index;
}

const spans = new WeakMap<readonly object[], { start: number; end: number }>();
type Timed = { start: { sec: number; nsec: number }; end: { sec: number; nsec: number } };

/** First and last message time of the inputs, seconds since the epoch (0 with no calls). */
export function captureSpan(calls: readonly Timed[]): { start: number; end: number } {
  let span = spans.get(calls);
  if (span === undefined) {
    let start = Infinity, end = 0;
    for (const c of calls) {
      start = Math.min(start, c.start.sec + c.start.nsec / 1e9);
      end = Math.max(end, c.end.sec + c.end.nsec / 1e9);
    }
    span = { start: start === Infinity ? 0 : start, end };
    spans.set(calls, span);
  }
  return span;
}

/** Time of the last message of the inputs, seconds since the epoch (0 with no calls). */
export function captureEnd(calls: readonly Timed[]): number {
  return captureSpan(calls).end;
}
