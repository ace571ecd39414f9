/**
 * A SIP message as the capture delivered it: the parsed message plus where and
 * when it was seen. This is the unit the call store groups and every view shows.
 */
import type { SipMessage } from '../sip/message.js';

/** How the message reached us: plain transport, or unwrapped from HEP / WebSocket. */
export type MessageTransport = 'udp' | 'tcp' | 'sctp' | 'ws' | 'tls';

export interface CapturedMessage {
  /** Global arrival order across all inputs, 0-based. */
  seq: number;
  /** Which input (position in the FILE... list) and which frame in it. */
  source: number;
  frame: number;
  /**
   * Every frame that carried a part of the message (IP fragments, TCP segments),
   * in capture order, when that is more than `frame` alone: export writes them all
   * so Wireshark can reassemble. Absent means just `frame`.
   */
  frames?: number[];
  sec: number;
  nsec: number;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  transport: MessageTransport;
  /** Set when the SIP came inside HEP: the collector saw it, the addresses are HEP's. */
  hep?: { version: number; captureId?: number; correlationId?: string };
  msg: SipMessage;
}
