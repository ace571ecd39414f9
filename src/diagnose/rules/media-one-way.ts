/**
 * media.one-way — from the SDP of an answered call's initial offer/answer:
 * - one side announces an address behind NAT (its signalling crossed a NAT)
 *   while the other side's is public: the public side's RTP goes to an
 *   address it cannot reach, the other direction may work — one-way audio;
 * - the answer to a sendrecv offer on a new call is sendonly/recvonly (RFC
 *   3264 §6.1); when the offerer itself asked for one-way media it is only info.
 * - with RTP read from the same capture (media/): an answered sendrecv call
 *   whose RTP flowed one way only — packets, loss and jitter per direction
 *   in evidence. A direction with no packet at all is the fault; one with a
 *   handful against a steady stream the other way (≤ 5 vs ≥ 100) is a
 *   warning, since silence suppression can look like that.
 * Without RTP analysis (or no RTP for the call in the capture) the SDP
 * judgements above stand alone and evidence says RTP was not seen.
 */
import { crossedNat, isBehindNat, isPublicLike } from '../addresses.js';
import { offerAnswers } from '../dialog.js';
import { source, timeOf } from '../message-facts.js';
import { endpoint } from '../../net/packet.js';
import type { CapturedMessage } from '../../calls/captured-message.js';
import type { Direction, MediaIndex } from '../../media/index.js';
import type { SdpSession } from '../../sip/sdp.js';
import type { Draft, Rule } from '../rule.js';

const RTP_NOTE = 'RTP not analysed: this judgement is from SDP only';
const NO_RTP = 'no RTP of this call in the capture (signalling-only capture?): judged from SDP only';
/** A stream this long (2 s of 20 ms packets) makes a silent other direction meaningful. */
const STEADY = 100;
const HANDFUL = 5;

function audioEndpoint(sdp: SdpSession): string | undefined {
  const a = sdp.media.find((m) => m.type === 'audio' && m.port !== 0);
  const ip = a?.connection?.ip ?? sdp.connection?.ip;
  return a === undefined || ip === undefined ? undefined : endpoint(ip, a.port);
}

function rateOf(sdp: SdpSession): (pt: number) => number | undefined {
  return (pt) => sdp.media.flatMap((m) => m.codecs).find((c) => c.payload === pt)?.rate;
}

/** Both directions of the call's audio, or undefined when RTP was not read or the SDP names no endpoint. */
function rtpOf(media: MediaIndex | undefined, messages: readonly CapturedMessage[], offer: SdpSession, answer: SdpSession, offerAt: number): [Direction, Direction] | undefined {
  const o = audioEndpoint(offer), a = audioEndpoint(answer);
  if (media === undefined || o === undefined || a === undefined) return undefined;
  const bye = messages.find((m) => m.msg.kind === 'request' && m.msg.method === 'BYE' && timeOf(m) >= offerAt);
  const end = bye === undefined ? Infinity : timeOf(bye) + 1;
  return [media.direction(o, a, offerAt, end, rateOf(answer)), media.direction(a, o, offerAt, end, rateOf(offer))];
}

const brief = (d: Direction): Record<string, unknown> => ({
  from: d.from, to: d.to, packets: d.packets, lost: d.lost, maxJitterMs: d.maxJitterMs, meanJitterMs: d.meanJitterMs,
  streams: d.streams.map((s) => ({ src: s.src, dst: s.dst, ssrc: s.ssrc, payloadTypes: s.payloadTypes, packets: s.packets, lost: s.lost, maxJitterMs: s.maxJitterMs })),
});

function rtpEvidence(dirs: [Direction, Direction] | undefined): unknown {
  if (dirs === undefined) return RTP_NOTE;
  if (dirs[0].packets + dirs[1].packets === 0) return NO_RTP;
  return { callerToCallee: brief(dirs[0]), calleeToCaller: brief(dirs[1]) };
}

function audioAddress(sdp: SdpSession): string | undefined {
  const a = sdp.media.find((m) => m.type === 'audio' && m.port !== 0);
  return a === undefined ? undefined : a.connection?.ip ?? sdp.connection?.ip;
}

function audioDirection(sdp: SdpSession): string | undefined {
  return sdp.media.find((m) => m.type === 'audio' && m.port !== 0)?.direction;
}

export const mediaOneWay: Rule = {
  code: 'media.one-way',
  check({ messages, media }) {
    const drafts: Draft[] = [];
    for (const oa of offerAnswers(messages)) {
      if (!oa.initial || oa.answer === undefined || oa.final === undefined || oa.final.status >= 300) continue;
      const offerMsg = messages[oa.offer.index]!, answerMsg = messages[oa.answer.index]!;
      const dirs = rtpOf(media, messages, oa.offer.sdp, oa.answer.sdp, timeOf(offerMsg));
      const rtp = rtpEvidence(dirs);
      const natDrafts = drafts.length;
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
          evidence: { unreachable: { side: natted.role, address: natted.ip, signallingFrom: natted.from }, reachable: { side: other.role, address: other.ip }, rtp },
        });
      }
      const od = audioDirection(oa.offer.sdp), ad = audioDirection(oa.answer.sdp);
      const oneWay = (d: string | undefined): boolean => d === 'sendonly' || d === 'recvonly';
      if (od === 'sendrecv' && ad === 'sendrecv' && dirs !== undefined && drafts.length === natDrafts) {
        const d = rtpOneWay(dirs, [oa.offer.index, oa.answer.index]);
        if (d !== undefined) drafts.push(d);
      }
      if (od === undefined || ad === undefined || !(oneWay(od) || oneWay(ad))) continue;
      // An offerer asking for one-way media (announcements, sipp recvonly tests) meant it: info only.
      // An answer turning a sendrecv offer into one direction is the fault phones show as one-way audio.
      drafts.push(oneWay(od)
        ? {
            messages: [oa.offer.index, oa.answer.index], severity: 'info',
            summary: `the caller offered audio ${od} (answer ${ad}): media was meant to flow one way`,
            evidence: { offerDirection: od, answerDirection: ad, rtp },
          }
        : {
            messages: [oa.offer.index, oa.answer.index],
            summary: `the answer turned a ${od} offer into ${ad} audio on a new call: media flows in one direction only`,
            evidence: { offerDirection: od, answerDirection: ad, rtp },
          });
    }
    return drafts;
  },
};

/** RTP of a sendrecv call seen one way only (or nearly: a handful against a steady stream). */
function rtpOneWay(dirs: [Direction, Direction], messages: number[]): Draft | undefined {
  const names = ['caller → callee', 'callee → caller'];
  for (const [i, quiet, busy] of [[0, dirs[0], dirs[1]], [1, dirs[1], dirs[0]]] as const) {
    const silent = quiet.packets === 0 && busy.packets > 0;
    const nearly = !silent && quiet.packets <= HANDFUL && busy.packets >= STEADY;
    if (!silent && !nearly) continue;
    const ev = { callerToCallee: brief(dirs[0]), calleeToCaller: brief(dirs[1]) };
    return {
      messages,
      ...(nearly ? { severity: 'warning' as const } : {}),
      summary: `RTP flowed ${names[1 - i]} only: ${busy.packets} packets ${busy.from} → ${busy.to}, ${quiet.packets} ${quiet.from} → ${quiet.to}${
        nearly ? ' (the sender stopped; silence suppression can look alike)' : ''}`,
      evidence: { ...ev, silentDirection: names[i] },
    };
  }
  return undefined;
}
