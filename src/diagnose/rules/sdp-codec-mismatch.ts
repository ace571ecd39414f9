/**
 * sdp.codec-mismatch — RFC 3264 §6.1: an accepted stream's answer must list
 * at least one format from the offer. Reported when an answered m-line shares
 * no codec with the offered one (compared by encoding name and clock rate, so
 * dynamic payload types map through rtpmap), when every offered audio stream
 * is refused (port 0), when the INVITE is refused with 488/415/606 (the
 * usual "no common codec" answers), and — as info — when the answer lists a
 * codec the offer did not have. telephone-event, CN, RED, FEC and RTX are
 * helpers, not codecs, and are left out of the comparison.
 *
 * Also as info, on a stream both sides accepted with a common codec: a ptime
 * the answer sets differently from the offer's (RFC 4566 §6: legal, each side
 * packetises at the other's ptime, but gateways that cannot follow garble or
 * drop audio), and telephone-event (RFC 4733 DTMF) offered but not answered,
 * answered but not offered, or at no common clock rate — DTMF then goes
 * in-band or nowhere (IVRs and voicemail PINs stop working).
 */
import type { SdpMedia } from '../../sip/sdp.js';
import { offerAnswers } from '../dialog.js';
import type { Draft, Rule } from '../rule.js';

const HELPERS = new Set(['telephone-event', 'cn', 'red', 'ulpfec', 'flexfec-03', 'rtx', 'comfort-noise']);
const NO_CODEC = new Set([488, 415, 606]);

function codecs(m: SdpMedia): string[] {
  const out: string[] = [];
  for (const pt of m.payloads) {
    const c = m.codecs.find((x) => x.payload === pt);
    const name = c === undefined ? `pt${pt}` : `${c.name}/${c.rate ?? ''}`;
    if (c !== undefined && HELPERS.has(c.name.toLowerCase())) continue;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Clock rates of the stream's telephone-event payloads (RFC 4733 §7.1.1), e.g. [8000]. An
 * answer's dynamic payload without rtpmap means what the offer mapped it to (RFC 3264 §6.1).
 */
function dtmfRates(m: SdpMedia, offer?: SdpMedia): number[] {
  const out: number[] = [];
  for (const pt of m.payloads) {
    const c = m.codecs.find((x) => x.payload === pt) ?? (pt >= 96 ? offer?.codecs.find((x) => x.payload === pt) : undefined);
    if (c !== undefined && c.name.toLowerCase() === 'telephone-event') out.push(c.rate ?? 8000);
  }
  return out;
}

/** ptime and telephone-event differences of an accepted stream pair (info). */
function details(o: SdpMedia, a: SdpMedia): Array<{ summary: string; evidence: Record<string, unknown> }> {
  const out: Array<{ summary: string; evidence: Record<string, unknown> }> = [];
  if (o.ptime !== undefined && a.ptime !== undefined && o.ptime !== a.ptime) {
    out.push({
      summary: `${o.type}: the offer asks for ptime ${o.ptime} ms, the answer for ${a.ptime} ms; each side must packetise differently`,
      evidence: { media: o.type, mismatch: 'ptime', offeredPtime: o.ptime, answeredPtime: a.ptime },
    });
  }
  const off = dtmfRates(o), ans = dtmfRates(a, o);
  if (off.length > 0 && ans.length === 0) {
    out.push({ summary: `${o.type}: telephone-event (RFC 4733 DTMF) offered at ${off.join('/')} Hz but not in the answer; DTMF falls back to in-band audio or SIP INFO`, evidence: { media: o.type, mismatch: 'telephone-event', offered: off, answered: ans } });
  } else if (off.length === 0 && ans.length > 0) {
    out.push({ summary: `${o.type}: the answer lists telephone-event (RFC 4733 DTMF) at ${ans.join('/')} Hz, which the offer did not have`, evidence: { media: o.type, mismatch: 'telephone-event', offered: off, answered: ans } });
  } else if (off.length > 0 && !ans.some((r) => off.includes(r))) {
    out.push({ summary: `${o.type}: telephone-event offered at ${off.join('/')} Hz, answered at ${ans.join('/')} Hz: no common rate for DTMF`, evidence: { media: o.type, mismatch: 'telephone-event', offered: off, answered: ans } });
  }
  return out;
}

export const sdpCodecMismatch: Rule = {
  code: 'sdp.codec-mismatch',
  check({ messages }) {
    const drafts: Draft[] = [];
    for (const oa of offerAnswers(messages)) {
      const offered = oa.offer.sdp.media.filter((m) => m.port !== 0);
      const offeredText = offered.map((m) => `${m.type}: ${codecs(m).join(' ')}`);
      if (oa.final && NO_CODEC.has(oa.final.status) && oa.answer === undefined) {
        const f = messages[oa.final.index]!;
        drafts.push({
          messages: [oa.offer.index, oa.final.index],
          summary: `${oa.final.status} ${f.msg.kind === 'response' ? f.msg.reason : ''} after an offer of ${offeredText.join('; ')}`,
          evidence: { offered: offeredText, status: oa.final.status },
        });
        continue;
      }
      if (oa.answer === undefined) continue;
      const answer = oa.answer.sdp.media;
      const pairs = oa.offer.sdp.media.map((o, k) => ({ o, a: answer[k] })).filter((p) => p.o.port !== 0 && p.a !== undefined);
      const audio = pairs.filter((p) => p.o.type === 'audio');
      if (audio.length > 0 && audio.every((p) => p.a!.port === 0)) {
        drafts.push({
          messages: [oa.offer.index, oa.answer.index],
          summary: `the answer refused every audio stream (port 0) offered with ${audio.map((p) => codecs(p.o).join(' ')).join('; ')}`,
          evidence: { offered: offeredText, answered: answer.map((m) => `${m.type} port ${m.port}: ${codecs(m).join(' ')}`) },
        });
        continue;
      }
      for (const { o, a } of pairs) {
        if (a!.port === 0) continue;
        const off = codecs(o), ans = codecs(a!);
        const common = ans.filter((c) => off.some((x) => same(x, c)));
        const added = ans.filter((c) => !off.some((x) => same(x, c)));
        if (ans.length > 0 && common.length === 0) {
          drafts.push({
            messages: [oa.offer.index, oa.answer.index],
            summary: `${o.type}: offer ${off.join(' ')} and answer ${ans.join(' ')} share no codec`,
            evidence: { media: o.type, offered: off, answered: ans },
          });
        } else if (added.length > 0) {
          drafts.push({
            messages: [oa.offer.index, oa.answer.index],
            severity: 'info',
            summary: `${o.type}: the answer lists ${added.join(' ')}, which the offer (${off.join(' ')}) did not have`,
            evidence: { media: o.type, offered: off, answered: ans, added },
          });
        }
        if (common.length > 0) {
          for (const d of details(o, a!)) drafts.push({ messages: [oa.offer.index, oa.answer.index], severity: 'info', ...d });
        }
      }
    }
    return drafts;
  },
};
