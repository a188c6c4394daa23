// The command registry: one line per command module.
import type { Command } from 'commander';
import { register as audit } from './audit.ts';
import { register as bot } from './bot.ts';
import { register as check } from './check.ts';
import { register as configCheck } from './config-check.ts';
import { register as deliveries } from './deliveries.ts';
import { register as demo } from './demo.ts';
import { register as discord } from './discord.ts';
import { register as evidence } from './evidence.ts';
import { register as facts } from './facts.ts';
import { register as fix } from './fix.ts';
import { register as lab } from './lab.ts';
import { register as probe } from './probe.ts';
import { register as selftest } from './selftest.ts';
import { register as slack } from './slack.ts';
import { register as undo } from './undo.ts';
import { register as worker } from './worker.ts';
import { register as winrmExec } from './winrm-exec.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [demo, bot, worker, check, fix, undo, lab, facts, evidence, probe, winrmExec, selftest, audit, deliveries, slack, discord, configCheck];
