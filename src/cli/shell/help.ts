/**
 * The shell's help screens, in the spirit of the original SIPvestigator's:
 * what a command does, its forms, and examples to copy. `help` alone
 * describes the current context; `help TOPIC...` (e.g. `help add has`)
 * narrows to one command or filter type.
 */
import type { Context } from './session.js';

const GENERAL = `Commands (general context, prompt SipInv: — SipInv*: while a filter is active):
  load [--keylog K] FILE...         read captures (pcap, pcapng, tcpdump -A text, .gz) and add their calls
  clear                             forget every loaded call
  capture start [IFACE]             capture live (tcpdump/dumpcap) into the loaded calls; Ctrl-C stops it
  hep start [--udp HOST:PORT]       collect HEP (Kamailio siptrace, heplify…) into the loaded calls; Ctrl-C stops it
  filter [COMMAND]                  enter the filter context (or run one filter command, e.g. 'filter add srcnum 4151509')
  show conversations [sorted]       list conversations (Call-ID order; 'sorted': by arrival time)
  show conversation IDX|CALL-ID [messages | message N | ladder]
  show filter                       print the active filter
  conversation IDX|CALL-ID          enter one conversation: SipInv[conv IDX]:
  diagnose [IDX|CALL-ID]            explain why calls failed: the filtered calls, or one
  export FILE [--force]             write the filtered calls to .pcap, .pcapng, .txt or .json
  help [TOPIC...]                   this text, or help on one topic: help show, help add has
  exit                              leave the shell (Ctrl-D does the same)
Words may be shortened while unambiguous ('sh conversations'); Tab completes commands, Call-IDs and files.`;

const FILTER = `Commands (filter context, prompt SipInv[filter]: — SipInv[filter]*: while a filter is active):
  add TYPE VALUE...                 add a condition; several values in one line are alternatives
  del TYPE [VALUE...]               remove a condition, or only some of its values
  set condition and|or              how the conditions combine (default: or)
  reset                             remove every condition
  show                              print the filter
  help [TOPIC]                      this text, or help on a type: help add srcnum
  exit                              back to the general context
Types: srcnum dstnum telnum srcip dstip ip diversion pai ppi has HEADER
After each change the shell prints how many conversations match.`;

const CONVERSATION = `Commands (conversation context, prompt SipInv[conv IDX]:):
  show                              list the conversation's messages
  show messages                     print every message in full
  show message N                    print message N in full
  show ladder                       ladder diagram
  diagnose                          explain why this conversation failed
  help                              this text
  exit                              back to the general context`;

const NUMBER_RULES = `Numbers compare on digits: '+354 555-1234', '00354 5551234' and 'tel:+3545551234' are the same
number. A value ending in '*' matches every number starting with it.`;

const TOPICS: Record<string, string> = {
  load: `load [--keylog FILE]... FILE...
  Reads captures and adds their conversations to those already loaded; prints
  'N conversations (M SIP messages) extracted'. The format is found from the content.
  --keylog names a TLS key log (SSLKEYLOGFILE format) to decrypt SIP over TLS; the shell
  keeps it for later loads and captures.
Examples:
  load trace.pcap
  load --keylog keys.log tls-trunk.pcap
  load monday.pcapng tuesday.txt.gz`,
  clear: `clear
  Forgets every loaded conversation (the filter stays).`,
  hep: `hep start [--udp HOST:PORT]... [--tcp HOST:PORT]... [--auth KEY]
  Collects SIP mirrored as HEP (default: UDP 0.0.0.0:9060) into the loaded conversations,
  showing the latest calls and a running count. Ctrl-C stops the collector, never the shell.
Examples:
  hep start
  hep start --udp 127.0.0.1:9060 --tcp 127.0.0.1:9060 --auth s3cret`,
  capture: `capture start [IFACE] [--keylog FILE]...
  Captures SIP live through tcpdump (or dumpcap) on IFACE (default: any) into the loaded
  conversations, showing a running count. Ctrl-C stops the capture, never the shell.
  Needs root or the cap_net_raw capability. Filter: SIP ports 5060, 5061, 5080, HEP 9060 and IP fragments.
Examples:
  capture start
  capture start eth0
  capture start eth0 --keylog /tmp/sslkeys.log`,
  show: `show conversations [sorted]
  One line per conversation: [IDX] TIME: METHOD FROM->TO. Call-ID order, or arrival time with 'sorted'.
show conversation IDX|CALL-ID [messages | message N | ladder]
  The conversation's messages, one line each: [N] TIME METHOD-OR-STATUS (FROM->TO);
  'messages' prints them all in full, 'message N' one of them.
show filter
  The active filter.
Examples:
  show conversations sorted
  show conversation 0
  show conversation 3c2a1b@10.0.0.5 message 2`,
  'show conversations': `show conversations [sorted]
  Lists the conversations passing the filter, one line each: [IDX] TIME: METHOD FROM->TO.
  Call-ID order by default; 'sorted' lists them by the time their first message was seen.
Examples:
  show conversations
  show conversations sorted`,
  'show conversation': `show conversation IDX|CALL-ID [messages | message N | ladder]
  IDX is the number in brackets from 'show conversations'; a Call-ID works too (Tab completes it).
Examples:
  show conversation 0
  show conversation 0 message 3
  show conversation a84b4c76e66710@pc33.example.com messages`,
  'show filter': `show filter
  Prints the active filter, e.g. 'srcnum 4151509 or has diversion'.`,
  conversation: `conversation IDX|CALL-ID
  Enters one conversation (prompt SipInv[conv IDX]:) where 'show messages',
  'show message N' and 'show ladder' apply to it; 'exit' leaves.
Example:
  conversation 0
  show message 2`,
  diagnose: `diagnose [IDX|CALL-ID]
  Explains failed calls (NAT, SIP-ALG, Caller-ID, Diversion, codecs, one-way media): every
  conversation passing the filter, or the one named. Inside a conversation: 'diagnose'.
Examples:
  diagnose
  diagnose 3`,
  export: `export FILE [--force]
  Writes the filtered conversations to FILE, the format chosen by its ending: .pcap or
  .pcapng (the original frames from the loaded files, merged by time; calls from a live
  capture have none), .txt (tcpdump -A style, loads again) or .json (show --json per call).
  An existing FILE is kept unless --force is given.
Examples:
  export failed-call.pcap
  export calls.json --force`,
  filter: `filter
  Enters the filter context, where 'add', 'del', 'set condition', 'reset' and 'show' build
  the filter that 'show conversations' applies. 'filter COMMAND' runs one filter command.
Example (the wrong-Diversion case: forwarded calls to one number):
  filter
  add has diversion
  add dstnum 5660066
  set condition and
  exit
  show conversations`,
  add: `add TYPE VALUE...
  Adds one condition; several values on one line are alternatives (any may match).
  Types: srcnum dstnum telnum (any number) srcip dstip ip (either) diversion pai ppi has HEADER
Examples:
  add srcnum 4151509
  add dstnum 5660066 5660067
  add srcnum 354*
  add srcip 10.20.0.0/16
  add has diversion`,
  del: `del TYPE [VALUE...]
  Removes the TYPE condition, or only the VALUEs named.
Examples:
  del srcnum
  del dstnum 5660067`,
  set: `set condition and|or
  'or' (default): a conversation matching any condition passes; 'and': it must match all.`,
  reset: `reset
  Removes every condition; all conversations pass again.`,
  exit: `exit
  Leaves the current context; in the general context leaves the shell.`,
  help: `help [TOPIC...]
Examples:
  help
  help show conversation
  help add has`,
};

const TYPE_HELP: Record<string, string> = {
  srcnum: `add srcnum NUMBER...   the caller: the user part of From.\n${NUMBER_RULES}\nExample: add srcnum 4151509`,
  dstnum: `add dstnum NUMBER...   the callee: the user part of To.\n${NUMBER_RULES}\nExample: add dstnum 8969669`,
  telnum: `add telnum NUMBER...   any number of the call: From, To, Diversion, P-Asserted-Identity, P-Preferred-Identity.\n${NUMBER_RULES}\nExample: add telnum 1502`,
  srcip: `add srcip ADDRESS...   a source IP address of any message. Exact, prefix with '*', or CIDR.\nExamples: add srcip 10.20.0.22   add srcip 192.168.1.*   add srcip 10.0.0.0/8`,
  dstip: `add dstip ADDRESS...   a destination IP address of any message. Exact, prefix with '*', or CIDR.\nExample: add dstip 2001:db8::/32`,
  ip: `add ip ADDRESS...   a source or destination IP address. Exact, prefix with '*', or CIDR.\nExample: add ip 10.11.12.13`,
  diversion: `add diversion NUMBER...   a number in a Diversion header (who forwarded the call).\n${NUMBER_RULES}\nExample: add diversion 5551234`,
  pai: `add pai NUMBER...   a number in P-Asserted-Identity.\n${NUMBER_RULES}\nExample: add pai 4151509`,
  ppi: `add ppi NUMBER...   a number in P-Preferred-Identity.\n${NUMBER_RULES}\nExample: add ppi 1502`,
  has: `add has HEADER...   conversations with a message carrying the header; full or compact names
(i = Call-ID, f = From, m = Contact, ...), any case.
Examples:
  add has diversion
  add has P-Asserted-Identity
  add has History-Info`,
};

export function contextHelp(context: Context): string {
  switch (context.kind) {
    case 'general': return GENERAL;
    case 'filter': return FILTER;
    case 'conversation': return CONVERSATION;
  }
}

export const HELP_TOPICS: readonly string[] = [...new Set(Object.keys(TOPICS).map((t) => t.split(' ')[0]!))];

/** Help for `help TOPIC...`; undefined when there is none (the caller suggests a topic). */
export function topicHelp(words: string[]): string | undefined {
  const w = words.map((x) => x.toLowerCase());
  if ((w[0] === 'add' || w[0] === 'del') && w[1] !== undefined) return TYPE_HELP[w[1]];
  if (w.length === 1 && TYPE_HELP[w[0]!] !== undefined) return TYPE_HELP[w[0]!];
  for (let n = w.length; n > 0; n--) {
    const text = TOPICS[w.slice(0, n).join(' ')];
    if (text !== undefined) return text;
  }
  return undefined;
}
