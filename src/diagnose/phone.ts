/**
 * Is a caller/diversion number a real number? Delegated to libphonenumber-js
 * (pinned; `max` metadata so validity checks the numbering plan, not only the
 * length) — we never hand-roll numbering plans.
 *
 * Trunks see numbers as `+E.164`, `00…`, E.164 without `+`, or national with a
 * trunk prefix; we accept any of those as valid when libphonenumber does.
 * Without a region a national number cannot be judged, except that one of at
 * most 5 digits is no public number anywhere (E.164 numbers need a country
 * code plus a subscriber number): that is an internal extension leaking out,
 * the thesis's `1502` case.
 */
import { parsePhoneNumberFromString, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';

export type NumberVerdict = 'valid' | 'invalid' | 'unchecked' | 'not-a-number';

export interface NumberCheck {
  raw: string;
  verdict: NumberVerdict;
  /** E.164 form when libphonenumber could place the number. */
  e164?: string;
  type?: string;
  why?: string;
}

const MAX_EXTENSION_DIGITS = 5;

export function isRegion(code: string): boolean {
  return isSupportedCountry(code.toUpperCase());
}

/**
 * `phoneContext` is a tel URI's / user=phone `;phone-context=+7` (RFC 3966
 * §5.1.5): a global context turns a local number into `+7…`.
 */
export function checkNumber(user: string, region?: string, phoneContext?: string): NumberCheck {
  const raw = user;
  const semi = user.indexOf(';');
  if (phoneContext === undefined && semi >= 0) phoneContext = /;phone-context=([^;]+)/i.exec(user)?.[1];
  const text = decode(semi < 0 ? user : user.slice(0, semi)).replace(/[-.()\s]/g, '');
  if (!/^\+?\d+$/.test(text)) return { raw, verdict: 'not-a-number', why: `"${raw}" is not a telephone number` };
  const cc = region !== undefined && isRegion(region) ? (region.toUpperCase() as CountryCode) : undefined;
  // Candidates whose invalidity proves something, then guesses that may only confirm validity.
  const decisive: string[] = [];
  const guesses: string[] = [];
  const context = phoneContext !== undefined && /^\+[\d-.()]+$/.test(phoneContext) ? phoneContext.replace(/[-.()]/g, '') : undefined;
  if (text.startsWith('+')) decisive.push(text);
  else if (text.startsWith('00')) decisive.push(`+${text.slice(2)}`);
  else if (context !== undefined) decisive.push(`${context}${text}`);
  else {
    if (cc !== undefined) decisive.push(text);
    if (text.length > MAX_EXTENSION_DIGITS + 2) guesses.push(`+${text}`); // E.164 sent without '+'
  }
  let placed: NumberCheck | undefined;
  for (const c of [...decisive, ...guesses]) {
    const p = parsePhoneNumberFromString(c, cc);
    if (p === undefined) continue;
    const check: NumberCheck = { raw, verdict: p.isValid() ? 'valid' : 'invalid', e164: p.number };
    const type = p.getType();
    if (type !== undefined) check.type = type;
    if (check.verdict === 'valid') return check;
    if (decisive.includes(c)) placed ??= check;
  }
  const digits = text.replace(/^\+/, '');
  if (!text.startsWith('+') && !text.startsWith('00') && digits.length <= MAX_EXTENSION_DIGITS) {
    return { raw, verdict: 'invalid', why: `${digits.length} digits: an internal extension, not a public number` };
  }
  if (placed !== undefined) return { ...placed, why: cc ? `not a valid number of the ${cc} numbering plan` : 'not a valid number in the numbering plan of its country code' };
  return cc === undefined
    ? { raw, verdict: 'unchecked', why: 'national number and no --region to check it against' }
    : { raw, verdict: 'invalid', why: `not a valid ${cc} number` };
}

function decode(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
