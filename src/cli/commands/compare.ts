/**
 * `sipv compare BEFORE AFTER [--json] [--fail-on [LEVEL]]`: what a device
 * (router, firewall, SBC) did to the SIP that crossed it, from one capture on
 * each side (SPEC.md). Exit 1 with --fail-on when the device rewrote or
 * dropped SIP (bare flag) or a finding reaches LEVEL; 2 on bad usage/input.
 */
import type { Command } from 'commander';
import type { CapturedMessage } from '../../calls/captured-message.js';
import { compareCaptures, compareToJson } from '../../compare/compare.js';
import { reaches } from '../../diagnose/engine.js';
import { isSeverity } from '../../diagnose/finding.js';
import { renderCompare } from '../../report/compare-text.js';
import { loadForCommand } from '../inputs.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { CliError, Exit, type Io } from '../io.js';
import type { Limits } from '../../core/limits.js';

interface CompareFlags extends LimitFlags {
  json?: boolean;
  failOn?: string | true;
}

async function messagesOf(file: string, io: Io, limits: Limits): Promise<{ messages: CapturedMessage[]; exitCode: number }> {
  const { store, exitCode } = await loadForCommand([file], io, { keep: () => true }, undefined, limits);
  const messages = store.calls().flatMap((c) => c.kept ?? []).sort((a, b) => a.seq - b.seq);
  return { messages, exitCode };
}

export async function runCompare(beforeFile: string, afterFile: string, flags: CompareFlags, io: Io): Promise<number> {
  if (typeof flags.failOn === 'string' && !isSeverity(flags.failOn)) throw new CliError(`--fail-on must be info, warning or error, not '${flags.failOn}'`);
  if (beforeFile === '-' && afterFile === '-') throw new CliError('only one of BEFORE and AFTER can be stdin');
  const limits = limitsFromFlags(flags);
  const before = await messagesOf(beforeFile, io, limits);
  const after = await messagesOf(afterFile, io, limits);
  const result = compareCaptures(before.messages, after.messages);
  if (flags.json) io.out(JSON.stringify(compareToJson(result), null, 1) + '\n');
  else io.out(renderCompare(result, { color: io.outIsTty, beforeName: beforeFile, afterName: afterFile }));
  if (before.exitCode !== Exit.OK || after.exitCode !== Exit.OK) return Exit.USAGE;
  if (flags.failOn === undefined) return Exit.OK;
  const found = flags.failOn === true ? result.verdict === 'alg' : reaches(result.findings, flags.failOn as 'info' | 'warning' | 'error');
  return found ? Exit.FOUND : Exit.OK;
}

export function registerCompare(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  addLimitOptions(program
    .command('compare'))
    .description('what changed between two captures of the same traffic (both sides of a router: NAT vs SIP ALG)')
    .argument('<before>', 'capture taken before the device (e.g. LAN side)')
    .argument('<after>', 'capture taken after the device (e.g. WAN side)')
    .option('--json', 'print one JSON object (shape: SPEC.md)')
    .option('--fail-on [level]', 'exit 1 when the device rewrote or dropped SIP, or when a finding reaches info|warning|error')
    .addHelpText('after', `
Examples:
  sipv compare lan.pcap wan.pcap
  sipv compare lan.pcap wan.pcapng --json
  sipv compare lan.pcap wan.pcap --fail-on        # exit 1 when a SIP ALG is at work`)
    .action((before: string, after: string, flags: CompareFlags) => run(runCompare(before, after, flags, io)));
}
