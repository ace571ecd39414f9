/**
 * How the terminal ladder is drawn for this process: fitted to the terminal's
 * width, coloured only on a TTY (and never with NO_COLOR), and in ASCII when
 * asked or when the locale says the terminal cannot show UTF-8 box drawing.
 */
import type { LadderTextOptions } from '../report/ladder-text.js';
import type { Io } from './io.js';

export function ladderTextOptions(io: Io, ascii: boolean, env: NodeJS.ProcessEnv = process.env): LadderTextOptions {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  // An unset locale is common in containers and CI whose terminals do show UTF-8; "C"/"POSIX" or a non-UTF-8 charset are not.
  const utf8 = locale === '' || /utf-?8/i.test(locale);
  return {
    width: io.columns,
    unicode: !ascii && utf8,
    color: io.outIsTty && !env['NO_COLOR'],
  };
}
