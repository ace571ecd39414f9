import test from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure, isListening, readCounters, type ToolCounters } from '../../src/capture/live-stderr.js';
import { DEFAULT_BPF, toolArgs } from '../../src/capture/live.js';

test('tcpdump counters: the SIGUSR1 line and the three exit lines', () => {
  const c: ToolCounters = {};
  assert.equal(readCounters('tcpdump: 12 packets captured, 14 packets received by filter, 2 packets dropped by kernel', c), true);
  assert.deepEqual(c, { captured: 12, received: 14, dropped: 2 });
  const d: ToolCounters = {};
  for (const l of ['1 packet captured', '1 packet received by filter', '0 packets dropped by kernel']) readCounters(l, d);
  assert.deepEqual(d, { captured: 1, received: 1, dropped: 0 });
  assert.equal(readCounters('tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes', {}), false);
});

test('dumpcap counters', () => {
  const c: ToolCounters = {};
  readCounters('Packets captured: 7', c);
  readCounters("Packets received/dropped on interface 'Loopback: lo': 7/3 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (70.0%)", c);
  assert.deepEqual(c, { captured: 7, received: 7, dropped: 3 });
});

test('failures in one plain sentence; permission problems name the fix', () => {
  assert.match(describeFailure("tcpdump: eth0: You don't have permission to capture on that device", 'tcpdump', 'eth0')!, /needs root or the cap_net_raw capability.*setcap cap_net_raw/);
  assert.match(describeFailure('(socket: Operation not permitted)', 'tcpdump', 'lo')!, /needs root/);
  assert.equal(describeFailure('tcpdump: nosuch: No such device exists', 'tcpdump', 'nosuch'), "no network interface 'nosuch' (list them with: tcpdump -D)");
  assert.match(describeFailure("tcpdump: can't parse filter expression: syntax error", 'tcpdump', 'lo')!, /not valid BPF/);
  assert.equal(describeFailure('tcpdump: listening on lo, link-type EN10MB', 'tcpdump', 'lo'), undefined);
  assert.equal(describeFailure('3 packets captured', 'tcpdump', 'lo'), undefined);
  assert.equal(isListening("Capturing on 'Loopback: lo'"), true);
});

test('the tools are asked for a packet-buffered pcap on stdout', () => {
  assert.deepEqual(toolArgs('tcpdump', 'lo', 'port 5060', 5), ['-U', '--immediate-mode', '-w', '-', '-i', 'lo', '-c', '5', 'port 5060']);
  assert.deepEqual(toolArgs('dumpcap', 'any', 'port 5060'), ['-i', 'any', '-P', '-w', '-', '-f', 'port 5060']);
  assert.match(DEFAULT_BPF, /port 5060 or port 5061 or port 5080/);
  assert.match(DEFAULT_BPF, /ip\[6:2\] & 0x1fff != 0/);
});
