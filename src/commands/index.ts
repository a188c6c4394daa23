// The command registry: one line per command module.
import type { Command } from 'commander';
import { register as probe } from './probe.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [probe];
