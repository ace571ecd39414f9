/**
 * What tcpdump and dumpcap say on stderr, turned into numbers and plain
 * sentences. tcpdump prints its counters on exit and on SIGUSR1 (one line
 * `tcpdump: 5 packets captured, 5 packets received by filter, 0 packets
 * dropped by kernel`, or the same as three lines); dumpcap prints
 * `Packets received/dropped on interface 'lo': 5/0 (…)`. Pure text in,
 * values out, so every message variant is a unit test.
 */

export interface ToolCounters {
  captured?: number;
  received?: number;
  /** Packets the kernel (or interface) dropped because we read too slowly. */
  dropped?: number;
}

/** Reads any counters in one stderr line into `into`; true when the line held some. */
export function readCounters(line: string, into: ToolCounters): boolean {
  let found = false;
  const take = (re: RegExp, key: keyof ToolCounters): void => {
    const m = re.exec(line);
    if (m) {
      into[key] = Number(m[1]);
      found = true;
    }
  };
  take(/(\d+) packets? captured/, 'captured');
  take(/(\d+) packets? received by filter/, 'received');
  take(/(\d+) packets? dropped by kernel/, 'dropped');
  take(/^Packets captured: (\d+)/, 'captured');
  const dumpcap = /^Packets received\/dropped on interface '.*': (\d+)\/(\d+)/.exec(line);
  if (dumpcap) {
    into.received = Number(dumpcap[1]);
    into.dropped = Number(dumpcap[2]);
    found = true;
  }
  return found;
}

/** True for the line that says capturing has begun. */
export function isListening(line: string): boolean {
  return /^tcpdump: listening on |^Capturing on /.test(line);
}

/**
 * A failure line turned into one sentence for the user, or undefined for
 * chatter. Permission problems get the fix, since they are the usual cause.
 */
export function describeFailure(line: string, tool: string, iface: string): string | undefined {
  if (/permission|not permitted|Operation not permitted|You don't have permission/i.test(line)) {
    return `capturing on ${iface} needs root or the cap_net_raw capability: run as root (sudo), or once: sudo setcap cap_net_raw,cap_net_admin+eip $(command -v ${tool})`;
  }
  if (/No such device|doesn't exist|no suitable device|There is no device/i.test(line)) {
    return `no network interface '${iface}' (list them with: ${tool} -D)`;
  }
  if (/syntax error|can't parse filter|Invalid capture filter|parse error/i.test(line)) {
    return `the capture filter is not valid BPF: ${line.replace(/^(tcpdump|dumpcap): /, '')}`;
  }
  if (/^(tcpdump|dumpcap): /.test(line) && !isListening(line) && !readCounters(line, {})) {
    return line.replace(/^(tcpdump|dumpcap): /, `${tool}: `);
  }
  return undefined;
}
