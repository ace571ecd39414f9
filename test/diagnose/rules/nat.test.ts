/**
 * NAT rules on the lab's topology, built by hand: a phone at
 * 192.168.20.100:5060 behind a router whose WAN address is 198.51.100.7,
 * a server at 203.0.113.10:5060. "WAN capture" = packets as the server sees
 * them (source 198.51.100.7:40000); "LAN capture" = as the phone sends them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, request, response, run, sdp } from '../build.js';
import { natContactPrivate } from '../../../src/diagnose/rules/nat-contact-private.js';
import { natViaMismatch } from '../../../src/diagnose/rules/nat-via-mismatch.js';
import { natSdpPrivate } from '../../../src/diagnose/rules/nat-sdp-private.js';
import { natNoRport } from '../../../src/diagnose/rules/nat-no-rport.js';
import { natResponseMisrouted } from '../../../src/diagnose/rules/nat-response-misrouted.js';
import { natBindingTimeout } from '../../../src/diagnose/rules/nat-binding-timeout.js';
import { RULES } from '../../../src/diagnose/rules/index.js';

const PHONE = '192.168.20.100:5060';
const WAN = '198.51.100.7:40000';
const SERVER = '203.0.113.10:5060';
const NAT_RULES = RULES.filter((r) => r.code.startsWith('nat.'));

const register = (at: number, extra: Partial<Parameters<typeof request>[1]> = {}) =>
  request({ at, from: WAN, to: SERVER }, { method: 'REGISTER', via: PHONE, contact: `sip:alice@${PHONE}`, callId: 'reg1', to: 'alice', ...extra });

test('WAN capture, ALG off: REGISTER gives contact-private and via-mismatch, nothing else', () => {
  const f = run([register(0), response({ at: 0.01, from: SERVER, to: WAN }, 200, 'OK', { method: 'REGISTER', via: PHONE, viaParams: ';rport=40000;received=198.51.100.7', callId: 'reg1', to: 'alice' })], NAT_RULES);
  assert.deepEqual(codes(f).sort(), ['nat.contact-private', 'nat.via-mismatch']);
  const contact = f.find((x) => x.code === 'nat.contact-private')!;
  assert.deepEqual(contact.messages, [0]);
  assert.equal(contact.evidence['contactHost'], '192.168.20.100');
  assert.deepEqual(contact.evidence['packetSources'], [WAN]);
  const via = f.find((x) => x.code === 'nat.via-mismatch')!;
  assert.equal(via.evidence['sentBy'], PHONE);
  assert.equal(via.evidence['packetSource'], WAN);
  assert.equal(via.severity, 'info');
});

test('WAN capture, ALG on (Via and Contact rewritten to the WAN address): no NAT finding', () => {
  const f = run([register(0, { via: WAN, contact: `sip:alice@${WAN}` })], NAT_RULES);
  assert.deepEqual(codes(f), []);
});

test('LAN capture: the phone\'s own packets agree with their headers', () => {
  const f = run([request({ at: 0, from: PHONE, to: SERVER }, { method: 'REGISTER', contact: `sip:alice@${PHONE}`, to: 'alice' })], NAT_RULES);
  assert.deepEqual(codes(f), []);
});

test('a private Contact from a private source is one private network, not NAT', () => {
  const f = run([request({ at: 0, from: '10.0.0.1:5060', to: '10.0.0.2:5060' }, { contact: 'sip:alice@10.9.9.9:5060', via: '10.0.0.1:5060', lowerVias: ['SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-a'] })], [natContactPrivate]);
  assert.deepEqual(codes(f), []);
});

test('a CGNAT source with an RFC 1918 Contact is NAT (capture at the carrier side of a CGN)', () => {
  const f = run([register(0, { via: '100.64.3.4:1024' })].map((m) => ({ ...m, srcIp: '100.64.3.4', srcPort: 1024 })), [natContactPrivate]);
  assert.deepEqual(codes(f), ['nat.contact-private']);
});

test('via-mismatch: a proxy\'s own Via on top agrees with the source; TCP ephemeral ports are normal', () => {
  const proxied = request({ at: 0, from: SERVER, to: '203.0.113.20:5060' }, { via: SERVER, lowerVias: [`SIP/2.0/UDP ${PHONE};branch=z9hG4bK-p;rport=40000;received=198.51.100.7`] });
  const tcp = request({ at: 1, from: '203.0.113.30:51234', to: SERVER, transport: 'tcp' }, { via: '203.0.113.30:5060', callId: 'c2' });
  const host = request({ at: 2, from: WAN, to: SERVER }, { via: 'pc33.example.com:5060', callId: 'c3' });
  assert.deepEqual(codes(run([proxied, tcp, host], [natViaMismatch])), []);
});

test('via-mismatch on port only (UDP, symmetric NAT keeping the address)', () => {
  const f = run([request({ at: 0, from: '203.0.113.30:61000', to: SERVER }, { via: '203.0.113.30:5060' })], [natViaMismatch]);
  assert.equal(f.length, 1);
  assert.match(f[0]!.summary, /differs in port/);
});

test('sdp-private: private c= in an INVITE from a public source warns that media will fail', () => {
  const inv = request({ at: 0, from: WAN, to: SERVER }, { via: PHONE, sdp: sdp('192.168.20.100', 4000, '0 8') });
  const f = run([inv], [natSdpPrivate]);
  assert.deepEqual(codes(f), ['nat.sdp-private']);
  assert.equal(f[0]!.severity, 'warning');
  assert.deepEqual(f[0]!.evidence['connection'], ['192.168.20.100']);
  assert.match(f[0]!.summary, /one-way or silent/);
});

test('sdp-private: only o= private (ALG rewrote c= only) is info; c=0.0.0.0 hold is not NAT', () => {
  const alg = request({ at: 0, from: WAN, to: SERVER }, { via: WAN, sdp: sdp('198.51.100.7', 4000, '0', [], '192.168.20.100') });
  const f = run([alg], [natSdpPrivate]);
  assert.deepEqual(f.map((x) => [x.code, x.severity]), [['nat.sdp-private', 'info']]);
  const hold = request({ at: 0, from: WAN, to: SERVER }, { via: WAN, sdp: sdp('0.0.0.0', 4000, '0', [], '198.51.100.7') });
  assert.deepEqual(codes(run([hold], [natSdpPrivate])), []);
});

test('phone without rport: no-rport and the 200 OK misrouted to the Via port', () => {
  const inv = request({ at: 0, from: WAN, to: SERVER }, { via: PHONE, viaParams: '' });
  const ok = response({ at: 0.2, from: SERVER, to: '198.51.100.7:5060' }, 200, 'OK', { via: PHONE, viaParams: ';received=198.51.100.7' });
  const f = run([inv, ok], [natNoRport, natResponseMisrouted]);
  assert.deepEqual(codes(f).sort(), ['nat.no-rport', 'nat.response-misrouted']);
  const mis = f.find((x) => x.code === 'nat.response-misrouted')!;
  assert.deepEqual(mis.messages, [0, 1]);
  assert.deepEqual(mis.evidence['responseDestinations'], ['198.51.100.7:5060']);
  assert.equal(mis.evidence['requestSource'], WAN);
});

test('rport honoured: the response goes back to the source, nothing misrouted', () => {
  const inv = request({ at: 0, from: WAN, to: SERVER }, { via: PHONE });
  const ok = response({ at: 0.2, from: SERVER, to: WAN }, 200, 'OK', { via: PHONE, viaParams: ';rport=40000;received=198.51.100.7' });
  assert.deepEqual(codes(run([inv, ok], [natNoRport, natResponseMisrouted])), []);
});

test('no NAT, no rport, sent from another port than the Via port: answering the Via port is RFC 3261', () => {
  const inv = request({ at: 0, from: '203.0.113.30:5099', to: SERVER }, { via: '203.0.113.30:5060', viaParams: '' });
  const ok = response({ at: 0.2, from: SERVER, to: '203.0.113.30:5060' }, 200, 'OK', { via: '203.0.113.30:5060', viaParams: '' });
  assert.deepEqual(codes(run([inv, ok], [natNoRport, natResponseMisrouted])), []);
});

const regOk = (at: number) => response({ at, from: SERVER, to: WAN }, 200, 'OK', { method: 'REGISTER', via: PHONE, callId: 'reg1', to: 'alice' });

test('binding-timeout: INVITE retransmitted to an endpoint idle for 100 s, measured schedule', () => {
  const sends = [100, 100.5, 101.5, 103.5].map((at) => request({ at, from: SERVER, to: WAN }, { via: SERVER, callId: 'in1', branch: 'z9hG4bK-srv' }));
  const f = run([register(0, { extra: ['Expires: 3600'] }), regOk(0.01), ...sends], [natBindingTimeout]);
  assert.deepEqual(codes(f), ['nat.binding-timeout']);
  const e = f[0]!.evidence;
  assert.deepEqual(e['retransmissionSchedule'], [0, 0.5, 1.5, 3.5]);
  assert.equal(e['idleGapSeconds'], 100);
  assert.equal(e['endpoint'], WAN);
  assert.equal(e['expiresRequested'], 3600);
  assert.deepEqual(f[0]!.messages, [0, 1, 2, 3]);
});

test('binding-timeout: not when the endpoint was heard recently, answered, or never registered there', () => {
  const sends = (t: number, callId = 'in1') => [t, t + 0.5, t + 1.5].map((at) => request({ at, from: SERVER, to: WAN }, { via: SERVER, callId, branch: 'z9hG4bK-srv' }));
  const publicRegister = register(0, { via: WAN });
  assert.deepEqual(codes(run([publicRegister, regOk(0.01), ...sends(10)], [natBindingTimeout])), [], 'idle 10 s, no NAT seen');
  const otherPeer = [10, 10.5, 11.5].map((at) => request({ at, from: '203.0.113.11:5060', to: WAN }, { via: '203.0.113.11:5060', callId: 'in1', branch: 'z9hG4bK-srv' }));
  assert.deepEqual(codes(run([register(0), regOk(0.01), ...otherPeer], [natBindingTimeout])), [], 'idle 10 s, INVITE from a peer it never registered with');
  assert.deepEqual(codes(run([register(0), regOk(0.01), ...sends(10).slice(0, 2)], [natBindingTimeout])), [], 'idle 10 s, only two transmissions');
  const ringing = response({ at: 101, from: WAN, to: SERVER }, 180, 'Ringing', { via: SERVER, callId: 'in1', branch: 'z9hG4bK-srv', viaParams: '' });
  assert.deepEqual(codes(run([register(0), regOk(0.01), ...sends(100), ringing], [natBindingTimeout])), [], 'answered');
  assert.deepEqual(codes(run([...sends(100)], [natBindingTimeout])), [], 'never registered');
});

test('binding-timeout: a short idle gap counts when the REGISTER showed the NAT (router with a short UDP timeout, test/lab)', () => {
  const sends = [10, 10.5, 11.5].map((at) => request({ at, from: SERVER, to: WAN }, { via: SERVER, callId: 'in1', branch: 'z9hG4bK-srv' }));
  const [f] = run([register(0), regOk(0.01), ...sends], [natBindingTimeout]);
  assert.equal(f?.code, 'nat.binding-timeout');
  assert.deepEqual(f!.evidence['retransmissionSchedule'], [0, 0.5, 1.5]);
  assert.match(String(f!.evidence['behindNat']), new RegExp(`Via SIP/2.0/UDP ${PHONE}.* arrived from ${WAN}`));
  assert.match(f!.summary, /through a NAT whose UDP timeout must be shorter than that/);
});
