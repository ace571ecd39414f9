#!/usr/bin/env node
/**
 * A tiny SIP user agent for the NAT/SIP-ALG lab. It sends exactly the bytes
 * the scenario asks for (with or without `rport`, IP-literal Call-IDs, several
 * Contacts, a chosen SDP media port), so the captures show what the router did
 * and nothing a full softphone might have added. Plain JS so it runs under
 * `ip netns exec` before anything is built.
 *
 *   node ua.mjs '{"bind":"192.168.20.100:5060","server":"203.0.113.10:5060","actions":[…]}'
 *
 * Actions, run in order:
 *   {"do":"register","user":"alice","rport":true,"contacts":["sip:alice@192.168.20.100:5060"],"callId":"…"}
 *   {"do":"invite","user":"alice","to":"bob","media":4000,"rport":true,"callId":"…","cseq":1}
 *       INVITE with SDP; ACK the final response; BYE after a 2xx.
 *   {"do":"answer","seconds":3}   answer any INVITE (180, 200 with SDP), 200 to BYE/OPTIONS.
 *   {"do":"ignore","seconds":3}   receive and print, answer nothing (an unreachable phone).
 *   {"do":"sleep","seconds":1}
 * Every message sent and received is printed on stdout, one summary line each.
 */
import dgram from 'node:dgram';
import crypto from 'node:crypto';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const [bindIp, bindPortText] = cfg.bind.split(':');
const bindPort = Number(bindPortText);
const [srvIp, srvPortText] = cfg.server.split(':');
const srvPort = Number(srvPortText);
const sock = dgram.createSocket('udp4');
const waiters = [];
let handler = null;

const rand = (n = 8) => crypto.randomBytes(n).toString('hex');
const log = (dir, who, text) => {
  const first = text.slice(0, text.indexOf('\r\n'));
  process.stdout.write(`${new Date().toISOString()} ${dir} ${who} ${first}\n`);
};

sock.on('message', (buf, rinfo) => {
  const text = buf.toString('latin1');
  log('<-', `${rinfo.address}:${rinfo.port}`, text);
  const msg = parse(text);
  msg.from = rinfo;
  if (msg.request && handler) { handler(msg); return; }
  for (const w of waiters) if (w.match(msg)) { w.resolve(msg); break; }
});

function parse(text) {
  const [head, body = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const start = lines[0];
  const headers = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
  });
  const get = (n) => headers.find(([k]) => k === n)?.[1];
  const all = (n) => headers.filter(([k]) => k === n).map(([, v]) => v);
  const request = !start.startsWith('SIP/2.0');
  return { text, start, request, headers, get, all, body,
    method: request ? start.split(' ')[0] : null,
    status: request ? null : Number(start.split(' ')[1]) };
}

function send(text, ip = srvIp, port = srvPort) {
  const b = Buffer.from(text, 'latin1');
  log('->', `${ip}:${port}`, text);
  return new Promise((res, rej) => sock.send(b, port, ip, (e) => (e ? rej(e) : res())));
}

function build(start, headers, body = '') {
  const lines = [start, ...headers, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body];
  return lines.join('\r\n');
}

/** RFC 3261 §17.1.1.2: retransmit at T1, doubling, until a final response or timer B. */
async function transaction(text, branch, method, { finalOnly = true, timeoutMs = 8000 } = {}) {
  let done = false;
  const final = new Promise((resolve) => {
    const w = { match: (m) => !m.request && m.get('via')?.includes(branch) && m.get('cseq')?.endsWith(method) && (!finalOnly || m.status >= 200), resolve };
    waiters.push(w);
  });
  const deadline = Date.now() + timeoutMs;
  let t1 = 500;
  await send(text);
  const retry = (async () => {
    while (!done && Date.now() + t1 < deadline) {
      await sleep(t1);
      if (done) return;
      await send(text);
      t1 = Math.min(t1 * 2, 4000);
    }
  })();
  const res = await Promise.race([final, sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
  done = true;
  void retry; // its pending sleep ends on its own; run() exits the process when done
  return res;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function via(branch, rport) {
  return `Via: SIP/2.0/UDP ${bindIp}:${bindPort};branch=z9hG4bK${branch}${rport === false ? '' : ';rport'}`;
}

function sdp(media, ip = bindIp) {
  const id = String(Date.now() % 100000000);
  return ['v=0', `o=${cfg.user ?? 'lab'} ${id} ${id} IN IP4 ${ip}`, 's=sipv lab', `c=IN IP4 ${ip}`, 't=0 0',
    `m=audio ${media} RTP/AVP 0 8 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000', `a=rtcp:${media + 1}`, 'a=sendrecv', ''].join('\r\n');
}

async function register(a) {
  const branch = rand();
  const callId = a.callId ?? `${rand(6)}@${bindIp}`;
  const contacts = a.contacts ?? [`<sip:${a.user}@${bindIp}:${bindPort}>`];
  const text = build(`REGISTER sip:${srvIp} SIP/2.0`, [
    via(branch, a.rport),
    'Max-Forwards: 70',
    `From: <sip:${a.user}@${srvIp}>;tag=${rand(4)}`,
    `To: <sip:${a.user}@${srvIp}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${a.cseq ?? 1} REGISTER`,
    ...contacts.map((c) => `Contact: ${c}`),
    `Expires: ${a.expires ?? 3600}`,
    'User-Agent: sipv-lab-ua',
  ]);
  const res = await transaction(text, branch, 'REGISTER', { timeoutMs: a.timeoutMs ?? 4000 });
  process.stdout.write(`register ${a.user}: ${res ? res.status : 'no answer'}\n`);
}

async function invite(a) {
  const branch = rand();
  const callId = a.callId ?? `${rand(6)}@${bindIp}`;
  const fromTag = rand(4);
  const cseq = a.cseq ?? 1;
  const from = `"${a.user}" <sip:${a.user}@${srvIp}>;tag=${fromTag}`;
  const ruri = `sip:${a.to}@${srvIp}`;
  const base = [
    'Max-Forwards: 70', `From: ${from}`, `To: <${ruri}>`, `Call-ID: ${callId}`,
  ];
  const body = sdp(a.media ?? 4000, a.sdpIp ?? bindIp);
  const text = build(`INVITE ${ruri} SIP/2.0`, [
    via(branch, a.rport), ...base, `CSeq: ${cseq} INVITE`,
    `Contact: <sip:${a.user}@${a.contactHost ?? `${bindIp}:${bindPort}`}>`,
    'Content-Type: application/sdp', 'User-Agent: sipv-lab-ua',
  ], body);
  const res = await transaction(text, branch, 'INVITE', { timeoutMs: a.timeoutMs ?? 8000 });
  if (!res) { process.stdout.write('invite: no answer\n'); return; }
  process.stdout.write(`invite ${a.to}: ${res.status}\n`);
  const to = res.get('to');
  if (res.status >= 300) {
    // RFC 3261 §17.1.1.3: the ACK for a non-2xx is part of the INVITE transaction.
    await send(build(`ACK ${ruri} SIP/2.0`, [via(branch, a.rport), ...base.slice(0, 2), `To: ${to}`, base[3], `CSeq: ${cseq} ACK`]));
    return;
  }
  const contact = /<([^>]+)>/.exec(res.get('contact') ?? '')?.[1] ?? ruri;
  const rr = res.all('record-route').flatMap((v) => v.split(',')).map((s) => s.trim()).reverse();
  const route = rr.length ? [`Route: ${rr.join(', ')}`] : [];
  const dialog = ['Max-Forwards: 70', `From: ${from}`, `To: ${to}`, `Call-ID: ${callId}`, ...route];
  await send(build(`ACK ${contact} SIP/2.0`, [via(rand(), a.rport), ...dialog, `CSeq: ${cseq} ACK`]));
  await sleep(a.holdMs ?? 300);
  const bb = rand();
  const bye = build(`BYE ${contact} SIP/2.0`, [via(bb, a.rport), ...dialog, `CSeq: ${cseq + 1} BYE`]);
  const br = await transaction(bye, bb, 'BYE', { timeoutMs: 4000 });
  process.stdout.write(`bye: ${br ? br.status : 'no answer'}\n`);
}

function respond(req, status, reason, extra = [], body = '') {
  const toTag = req.get('to').includes('tag=') ? '' : `;tag=${rand(4)}`;
  const lines = [
    ...req.all('via').map((v) => `Via: ${v}`),
    ...req.all('record-route').map((v) => `Record-Route: ${v}`),
    `From: ${req.get('from')}`, `To: ${req.get('to')}${status > 100 ? toTag : ''}`,
    `Call-ID: ${req.get('call-id')}`, `CSeq: ${req.get('cseq')}`, ...extra,
  ];
  // Responses go back where the request came from (RFC 3581 behaviour, always).
  return send(build(`SIP/2.0 ${status} ${reason}`, lines, body), req.from.address, req.from.port);
}

async function answer(a, silent) {
  const tags = new Map();
  handler = (req) => {
    if (silent) return;
    if (req.method === 'INVITE') {
      const tag = tags.get(req.get('call-id')) ?? rand(4);
      tags.set(req.get('call-id'), tag);
      const fake = { ...req, get: (n) => (n === 'to' && !req.get('to').includes('tag=') ? `${req.get('to')};tag=${tag}` : req.get(n)), all: req.all, from: req.from };
      const contact = [`Contact: <sip:${cfg.user ?? 'ua'}@${bindIp}:${bindPort}>`];
      void respond(fake, 180, 'Ringing', contact)
        .then(() => respond(fake, 200, 'OK', [...contact, 'Content-Type: application/sdp'], sdp(a.media ?? 5000)));
    } else if (req.method === 'ACK') {
      // nothing to answer
    } else {
      void respond(req, 200, 'OK');
    }
  };
  await sleep((a.seconds ?? 3) * 1000);
  handler = null;
}

async function run() {
  await new Promise((r) => sock.bind(bindPort, bindIp, r));
  for (const a of cfg.actions) {
    if (a.do === 'register') await register(a);
    else if (a.do === 'invite') await invite(a);
    else if (a.do === 'answer') await answer(a, false);
    else if (a.do === 'ignore') await answer(a, true);
    else if (a.do === 'sleep') await sleep(a.seconds * 1000);
    else throw new Error(`unknown action ${a.do}`);
  }
  sock.close();
  process.exit(0); // pending retransmit/deadline timers must not keep the phone alive
}

run().catch((e) => { process.stderr.write(`ua: ${e.stack ?? e}\n`); process.exit(1); });
