/**
 * `sipv show FILE... --call IDX|CALL-ID [--messages | --message N | --ladder] [--json]`:
 * one call's messages — the list, all of them in full, one, or a ladder diagram.
 * Only that call's messages are kept while reading, whatever the input size.
 */
import type { Command } from 'commander';
import type { Call } from '../../calls/call.js';
import type { CallStoreOptions } from '../../calls/store.js';
import { conversationToJson } from '../../report/json.js';
import { renderMessage, renderMessageList } from '../../report/messages-text.js';
import { conversationLine } from '../../report/calls-text.js';
import { buildLadder } from '../../report/ladder.js';
import { renderLadderText } from '../../report/ladder-text.js';
import { ladderTextOptions } from '../ladder-options.js';
import { openCallSource } from '../call-source.js';
import { addKeylogOption, keylogFromFlags, type KeylogFlags } from '../keylog-option.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { CliError, Exit, type Io } from '../io.js';

interface ShowFlags extends KeylogFlags, LimitFlags {
  call: string;
  messages?: boolean;
  message?: string;
  ladder?: boolean;
  ascii?: boolean;
  json?: boolean;
  store?: string;
}

/** A Call-ID may itself be all digits, so an exact Call-ID wins over an index. */
export function callSelector(wanted: string): { keep: NonNullable<CallStoreOptions['keep']>; pick: (calls: Call[], find: (id: string) => Call | undefined) => Call | undefined } {
  const asIndex = /^\d+$/.test(wanted) ? Number(wanted) : -1;
  return {
    keep: (index, callId) => index === asIndex || callId === wanted,
    pick: (calls, find) => find(wanted) ?? (asIndex >= 0 ? calls[asIndex] : undefined),
  };
}

export async function runShow(files: string[], flags: ShowFlags, io: Io): Promise<number> {
  const messageNumber = flags.message === undefined ? undefined : parseMessageNumber(flags.message);
  const selector = callSelector(flags.call);
  const { source, exitCode } = await openCallSource(files, flags.store, io, { keep: selector.keep, facts: false }, keylogFromFlags(flags, io), limitsFromFlags(flags));
  const call = await source.find(flags.call);
  const size = source.totalCalls;
  if (call === undefined) {
    await source.close();
    const range = size === 0 ? 'the input holds no calls' : `${size} calls; give an index 0..${size - 1} or a Call-ID`;
    throw new CliError(`no call '${flags.call}' (${range})`);
  }
  const messages = await source.messages(call);
  await source.close();
  if (messageNumber !== undefined && messageNumber >= messages.length) {
    throw new CliError(`call ${call.index} has ${messages.length} messages; --message takes 0..${messages.length - 1}`);
  }
  if (flags.ladder) {
    const ladder = buildLadder(call.callId, messages);
    io.out(flags.json ? JSON.stringify(ladder, null, 1) + '\n' : renderLadderText(ladder, ladderTextOptions(io, flags.ascii === true)));
  } else if (flags.json) {
    const json = conversationToJson({ callId: call.callId, kept: messages });
    if (messageNumber !== undefined) json.messages = [json.messages[messageNumber]!];
    io.out(JSON.stringify(json, null, 1) + '\n');
  } else if (messageNumber !== undefined) {
    io.out(renderMessage(messages[messageNumber]!, messageNumber));
  } else if (flags.messages) {
    io.out(messages.map(renderMessage).join('\n'));
  } else {
    io.out(conversationLine(call) + '\n' + renderMessageList(messages));
  }
  return exitCode;
}

function parseMessageNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`--message takes a message number, not '${text}'`, Exit.USAGE);
  return Number(text);
}

export function registerShow(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  addLimitOptions(addKeylogOption(program
    .command('show')))
    .description("show one call's messages")
    .argument('[file...]', 'pcap, pcapng, tcpdump -A text, gzip of any, or - for stdin')
    .option('--store <url>', 'answer from a store made by `sipv index` instead of FILE...')
    .requiredOption('--call <idx|call-id>', 'the call: its index from `sipv calls` or its Call-ID')
    .option('--messages', 'print every message in full')
    .option('--message <n>', 'print message N in full')
    .option('--ladder', 'draw the call as a ladder diagram (with --json: the ladder model)')
    .option('--ascii', 'draw the ladder with ASCII instead of box-drawing characters')
    .option('--json', 'print {callId, messages:[…]} (shape: SPEC.md)')
    .addHelpText('after', `
Examples:
  sipv show examples/basic-call.pcap --call 0
  sipv show trace.pcap --call 3c2a1b@10.0.0.5 --message 2
  sipv show trace.pcap --call 0 --ladder
  sipv show trace.pcap --call 0 --json | jq '.messages[].cseq'
  sipv show --store calls.duckdb --call 3c2a1b@10.0.0.5`)
    .action((files: string[], flags: ShowFlags) => run(runShow(files, flags, io)));
}
