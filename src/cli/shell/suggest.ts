/**
 * "Did you mean …?" for a mistyped word: the closest candidate by edit
 * distance (Levenshtein: insert, delete, substitute, plus swapping two
 * neighbours, the commonest typo — `shwo`), if it is close enough to be a
 * plausible typo rather than a different word.
 */

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The closest candidate within a third of the word's length (at least 2 edits), or undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * Resolves a typed word against keywords: an exact match, else the only
 * keyword it is a prefix of (`sh` → `show`, Cisco style). `ambiguous` lists
 * the keywords a prefix could mean.
 */
export function resolveWord(word: string, keywords: readonly string[]): { word?: string; ambiguous?: string[] } {
  const w = word.toLowerCase();
  if (keywords.includes(w)) return { word: w };
  const hits = keywords.filter((k) => k.startsWith(w));
  if (w !== '' && hits.length === 1) return { word: hits[0]! };
  if (hits.length > 1 && w !== '') return { ambiguous: hits };
  return {};
}
