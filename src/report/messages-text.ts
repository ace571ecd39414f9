/**
 * Plain-text views of one call's messages: the shell's message list
 * (`[N] TIME METHOD-OR-STATUS (FROM->TO)`) and a single message in full.
 */
import { safeBlock, safeInline } from '../core/sanitize.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { endpoint } from '../net/packet.js';
import { shortTime } from './calls-text.js';

export function methodOrStatus(m: CapturedMessage): string {
  return m.msg.kind === 'request' ? m.msg.method : `${m.msg.status} ${m.msg.reason}`;
}

export function messageLine(m: CapturedMessage, n: number): string {
  const from = endpoint(m.srcIp, m.srcPort);
  const to = endpoint(m.dstIp, m.dstPort);
  return safeInline(`[${n}] ${shortTime(m)} ${methodOrStatus(m)} (${from}->${to})`);
}

export function renderMessageList(messages: CapturedMessage[]): string {
  return messages.map(messageLine).join('\n') + '\n';
}

/** One message with a heading that says where it came from, then its exact text. */
export function renderMessage(m: CapturedMessage, n: number): string {
  const where = `${endpoint(m.srcIp, m.srcPort)} -> ${endpoint(m.dstIp, m.dstPort)} ${m.transport.toUpperCase()}`;
  const head = safeInline(`[${n}] ${shortTime(m)} ${where} (frame ${m.frame})`);
  const notes = m.msg.issues.map((i) => safeInline(`  ! ${i.code}: ${i.detail}${i.offset === undefined ? '' : ` (byte ${i.offset})`}`));
  const text = safeBlock(m.msg.raw.toString('utf8'));
  return [head, ...notes, '', text.endsWith('\n') ? text : `${text}\n`].join('\n');
}
