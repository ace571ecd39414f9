/**
 * media.one-way — from the SDP of an answered call's initial offer/answer:
 * - one side announces an address behind NAT (its signalling crossed a NAT)
 *   while the other side's is public: the public side's RTP goes to an
 *   address it cannot reach, the other direction may work — one-way audio;
 * - the answer to a sendrecv offer on a new call is sendonly/recvonly (RFC
 *   3264 §6.1); when the offerer itself asked for one-way media it is only info.
 * RTP itself is not examined yet (the pipeline does not decode RTP/RTCP), so
 * this never claims packets were or were not seen; evidence says so.
 */
import { crossedNat, isBehindNat, isPublicLike } from '../addresses.js';
import { offerAnswers } from '../dialog.js';
import { source } from '../message-facts.js';
import type { SdpSession } from '../../sip/sdp.js';
import type { Draft, Rule } from '../rule.js';

const RTP_NOTE = 'RTP not analysed: this judgement is from SDP only';

function audioAddress(sdp: SdpSession): string | undefined {
  const a = sdp.media.find((m) => m.type === 'audio' && m.port !== 0);
  return a === undefined ? undefined : a.connection?.ip ?? sdp.connection?.ip;
}

function audioDirection(sdp: SdpSession): string | undefined {
  return sdp.media.find((m) => m.type === 'audio' && m.port !== 0)?.direction;
}

export const mediaOneWay: Rule = {
  code: 'media.one-way',
  check({ messages }) {
    const drafts: Draft[] = [];
    for (const oa of offerAnswers(messages)) {
      if (!oa.initial || oa.answer === undefined || oa.final === undefined || oa.final.status >= 300) continue;
      const offerMsg = messages[oa.offer.index]!, answerMsg = messages[oa.answer.index]!;
      const sides = [
        { role: 'offer', ip: audioAddress(oa.offer.sdp), src: offerMsg.srcIp, from: source(offerMsg) },
        { role: 'answer', ip: audioAddress(oa.answer.sdp), src: answerMsg.srcIp, from: source(answerMsg) },
      ];
      const [o, a] = sides as [typeof sides[0], typeof sides[0]];
      for (const [natted, other] of [[o, a], [a, o]] as const) {
        if (natted.ip === undefined || other.ip === undefined) continue;
        if (!crossedNat(natted.ip, natted.src) || !isPublicLike(other.ip) || isBehindNat(other.ip)) continue;
        drafts.push({
          messages: [oa.offer.index, oa.answer.index],
          summary: `the ${natted.role} (from ${natted.from}) asks for RTP at ${natted.ip}, unreachable behind NAT, while the other side is public at ${other.ip}: audio towards the ${natted.role === 'offer' ? 'caller' : 'callee'} will be lost`,
          evidence: { unreachable: { side: natted.role, address: natted.ip, signallingFrom: natted.from }, reachable: { side: other.role, address: other.ip }, rtp: RTP_NOTE },
        });
      }
      const od = audioDirection(oa.offer.sdp), ad = audioDirection(oa.answer.sdp);
      const oneWay = (d: string | undefined): boolean => d === 'sendonly' || d === 'recvonly';
      if (od === undefined || ad === undefined || !(oneWay(od) || oneWay(ad))) continue;
      // An offerer asking for one-way media (announcements, sipp recvonly tests) meant it: info only.
      // An answer turning a sendrecv offer into one direction is the fault phones show as one-way audio.
      drafts.push(oneWay(od)
        ? {
            messages: [oa.offer.index, oa.answer.index], severity: 'info',
            summary: `the caller offered audio ${od} (answer ${ad}): media was meant to flow one way`,
            evidence: { offerDirection: od, answerDirection: ad, rtp: RTP_NOTE },
          }
        : {
            messages: [oa.offer.index, oa.answer.index],
            summary: `the answer turned a ${od} offer into ${ad} audio on a new call: media flows in one direction only`,
            evidence: { offerDirection: od, answerDirection: ad, rtp: RTP_NOTE },
          });
    }
    return drafts;
  },
};
