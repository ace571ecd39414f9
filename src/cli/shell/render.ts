/**
 * How the shell prints one message: a tcpdump-style line first (what people
 * know from `tcpdump -tttt`), e.g.
 * `2018-04-16 15:49:30.333525 IP 10.20.0.22.5060 > 10.11.12.13.5060: SIP, length: 1041`,
 * then any parser notes, then the message text, sanitised for the terminal.
 * The date is kept because captures cross midnight.
 */
import { safeBlock, safeInline } from '../../core/sanitize.js';
import type { CapturedMessage } from '../../calls/captured-message.js';
import { shortTime } from '../../report/calls-text.js';

export function tcpdumpLine(m: CapturedMessage): string {
  const v6 = m.srcIp.includes(':');
  const proto = m.transport === 'udp' ? 'SIP' : `SIP over ${m.transport.toUpperCase()}`;
  return safeInline(`${shortTime(m)} ${v6 ? 'IP6' : 'IP'} ${m.srcIp}.${m.srcPort} > ${m.dstIp}.${m.dstPort}: ${proto}, length: ${m.msg.raw.length}`);
}

export function renderShellMessage(m: CapturedMessage): string {
  const notes = m.msg.issues.map((i) => safeInline(`! ${i.code}: ${i.detail}${i.offset === undefined ? '' : ` (byte ${i.offset})`}`));
  const text = safeBlock(m.msg.raw.toString('utf8'));
  return [tcpdumpLine(m), ...notes, text.endsWith('\n') ? text : `${text}\n`].join('\n');
}
