/**
 * Sends SIP INVITEs over UDP on loopback (to 127.0.0.1:5060, no listener
 * needed) so live-capture tests have traffic of their own to count.
 */
import dgram from 'node:dgram';

export async function sendInvites(count: number, tag: string, port = 5060): Promise<void> {
  const socket = dgram.createSocket('udp4');
  for (let i = 0; i < count; i++) {
    const msg = [
      'INVITE sip:8969669@127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-${tag}-${i}`,
      `From: <sip:4151509@127.0.0.1>;tag=${tag}`, 'To: <sip:8969669@127.0.0.1>', `Call-ID: ${tag}-${i}@127.0.0.1`,
      'CSeq: 1 INVITE', 'Content-Length: 0', '', '',
    ].join('\r\n');
    await new Promise<void>((resolve, reject) => socket.send(msg, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  socket.close();
}
