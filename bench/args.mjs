/**
 * Command-line options of the bench scripts: `--key value`, `--key=value`, and
 * `--flag` alone (or `--no-…`) as true.
 */
export function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, v] = a.slice(2).split('=');
    if (v !== undefined) o[k] = v;
    else if (k.startsWith('no-') || argv[i + 1] === undefined || argv[i + 1].startsWith('--')) o[k] = true;
    else o[k] = argv[++i];
  }
  return o;
}
