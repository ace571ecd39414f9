/**
 * Service names tcpdump prints instead of port numbers when run without `-n`/`-nn`
 * (from /etc/services). Only the names a SIP capture tends to contain are mapped; an
 * unknown name is reported by the caller rather than guessed.
 */
const NAMES: Record<string, number> = {
  sip: 5060, 'sip-tls': 5061, sips: 5061, domain: 53, http: 80, https: 443, ntp: 123,
  bootps: 67, bootpc: 68, snmp: 161, 'snmp-trap': 162, isakmp: 500, syslog: 514, ssdp: 1900,
  mdns: 5353, 'ipsec-nat-t': 4500, stun: 3478, 'stun-behavior': 3478, radius: 1812,
  'radius-acct': 1813, netbios: 137, 'netbios-ns': 137, 'netbios-dgm': 138, 'netbios-ssn': 139,
  ldap: 389, 'h323hostcall': 1720, mgcp: 2427, 'mgcp-gateway': 2427, 'mgcp-callagent': 2727,
  iax: 4569, 'iax2': 4569, tftp: 69, ssh: 22, telnet: 23, smtp: 25, pop3: 110, imap: 143,
  xmpp: 5222, 'xmpp-client': 5222, rtsp: 554, openvpn: 1194, 'l2tp': 1701, pptp: 1723, llmnr: 5355,
};

/** Port number for a printed port (digits or service name); undefined when unknown. */
export function portNumber(text: string): number | undefined {
  if (text.length >= 1 && text.length <= 5) {
    let n = 0;
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
    }
    if (i === text.length) return n <= 65535 ? n : undefined;
  }
  return Object.hasOwn(NAMES, text) ? NAMES[text] : undefined;
}
