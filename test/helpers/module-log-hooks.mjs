// Module resolve hook for test/cli/startup.test.ts: appends every resolved module URL to $MODULE_LOG.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.MODULE_LOG) appendFileSync(process.env.MODULE_LOG, r.url + '\n');
  return r;
}
