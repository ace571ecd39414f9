/**
 * alg.malformed — syntax broken the way faulty SIP ALGs break it (lost `;`,
 * port above 65535, Content-Length not matching the UDP body); the catalogue
 * is in ../alg-damage.ts. One finding per call, every damaged value listed.
 */
import { algDamage } from '../alg-damage.js';
import type { Rule } from '../rule.js';

export const algMalformed: Rule = {
  code: 'alg.malformed',
  check({ messages }) {
    const found: Array<{ message: number } & ReturnType<typeof algDamage>[number]> = [];
    messages.forEach((m, i) => {
      for (const d of algDamage(m)) found.push({ message: i, ...d });
    });
    if (found.length === 0) return [];
    const first = found[0]!;
    return [{
      messages: found.map((f) => f.message),
      summary: `${found.length} ALG-style defect${found.length > 1 ? 's' : ''}, first in ${first.header}: ${first.problem}`,
      evidence: { defects: found },
    }];
  },
};
