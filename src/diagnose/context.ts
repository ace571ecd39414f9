/**
 * What rules may know beyond the call they look at.
 *
 * `EndpointHistory` answers "when did we last hear from this ip:port, and how
 * often does it register?" over every message of every call in the inputs, so
 * `nat.binding-timeout` can measure how long a NAT binding had been idle when
 * the server tried to reach the endpoint. Only SIP messages count: CRLF
 * keepalives (RFC 5626 §4.4.1) are not delivered by the pipeline yet, so an
 * endpoint that keeps its binding open with them looks idle (said in evidence).
 */
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { endpoint } from '../net/packet.js';
import { getHeader, getHeaders } from '../sip/headers.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { crossedNat } from './addresses.js';
import { timeOf, topVia } from './message-facts.js';

export interface Sent {
  at: number;
  /** Method for requests, status for responses. */
  what: string;
  callId: string;
  /** For REGISTER: the expiry the endpoint asked for, seconds (Contact ;expires or Expires). */
  expires?: number;
  /** For REGISTER: the top Via sent-by when it is an internal address and the packet came from another realm (NAT seen). */
  natVia?: string;
  /** For REGISTER: where it was sent (ip:port), the only peer a filtering NAT lets back in. */
  to?: string;
}

export class EndpointHistory {
  private readonly bySource = new Map<string, Sent[]>();

  constructor(calls: readonly Call[]) {
    for (const call of calls) {
      for (const m of call.kept ?? []) this.add(call.callId, m);
    }
    this.seal();
  }

  /**
   * For inputs streamed in rather than held (a store's messages): `add` each
   * message, calls in index order and each call's in arrival order, then `seal`.
   */
  add(callId: string, m: CapturedMessage): void {
    const key = endpoint(m.srcIp, m.srcPort);
    let list = this.bySource.get(key);
    if (list === undefined) this.bySource.set(key, (list = []));
    const sent: Sent = { at: timeOf(m), what: m.msg.kind === 'request' ? m.msg.method.toUpperCase() : String(m.msg.status), callId };
    if (sent.what === 'REGISTER') {
      const e = registerExpires(m);
      if (e !== undefined) sent.expires = e;
      const via = topVia(m);
      if (via !== undefined && crossedNat(via.host, m.srcIp)) sent.natVia = via.raw;
      sent.to = endpoint(m.dstIp, m.dstPort);
    }
    list.push(sent);
  }

  /** Orders each endpoint's list by time (stable: equal times stay in the order added). */
  seal(): void {
    for (const list of this.bySource.values()) list.sort((a, b) => a.at - b.at);
  }

  /** Everything sent from ip:port strictly before `at`, oldest first. */
  sentBefore(ip: string, port: number, at: number): Sent[] {
    return (this.bySource.get(endpoint(ip, port)) ?? []).filter((s) => s.at < at);
  }
}

function registerExpires(m: CapturedMessage): number | undefined {
  for (const c of getHeaders(m.msg, 'contact')) {
    const e = parseNameAddr(c).params['expires'];
    if (e != null && /^\d+$/.test(e)) return Number(e);
  }
  const h = getHeader(m.msg, 'expires');
  return h !== undefined && /^\d+$/.test(h.trim()) ? Number(h.trim()) : undefined;
}
