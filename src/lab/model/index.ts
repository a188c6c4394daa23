// SimulatedHost: one host model behind the WS-Man seam (passwords, PowerShell) and the RDP listener
// seam (rdpState + onChange). Plans that change the model, due revert tasks and explicit mutations
// notify listeners, so the RDP listener reacts to fixes applied through WinRM.
import type { Plan, PlanResult } from '../../host/operations.ts';
import type { FaultInjection, LabProcess, RdpListenerState, WsmanHost } from '../types.ts';
import type { HostModel } from './host-model.ts';
import { createPowerShell, type LabRuntime, type PlanGateAnswer } from './powershell.ts';
import { deriveRdpState } from './rdp-state.ts';
import { runDueTasks, type TaskRun } from './tasks.ts';

export type { HostModel } from './host-model.ts';
export { defaultHealthyModel, DEFAULT_RDP_USER, type HealthyModelOptions } from './default-model.ts';
export { executePlan, executePlanTimed, LAB_RUNTIME_VERSION, namespaceKey, PlanRefusedError, type TimedPlanResult } from './execute-plan.ts';
export { createPowerShell, type PowerShellOptions } from './powershell.ts';
export { deriveRdpState } from './rdp-state.ts';
export { runDueTasks, type TaskRun } from './tasks.ts';

export interface SimulatedHostOptions {
  /** The lab clock (default wall clock); tests pass a controllable one. */
  clock?: () => Date;
  faults?: Partial<FaultInjection>;
  /** Who executes plans (default: the lab's TypeScript operations); see PowerShellOptions. */
  runtime?: LabRuntime;
  startupMs?: number;
}

export type ChangeListener = (host: SimulatedHost) => void;

/** See PowerShellOptions.gate: a test holds a plan before it runs or after it ran. */
export type PlanGate = (plan: Plan, stage: 'before' | 'after') => Promise<PlanGateAnswer> | PlanGateAnswer;

export class SimulatedHost implements WsmanHost {
  readonly model: HostModel;
  readonly faults: FaultInjection;
  private readonly clock: () => Date;
  private readonly listeners = new Set<ChangeListener>();
  private readonly ps: (script: string) => LabProcess;
  private timer: NodeJS.Timeout | undefined;
  /** The last plan result (handy in tests and the demo). */
  lastResult: PlanResult | undefined;
  /** Tests only: holds plans at a chosen point (null: every plan runs at once). */
  planGate: PlanGate | null = null;

  constructor(model: HostModel, opts: SimulatedHostOptions = {}) {
    this.model = model;
    this.clock = opts.clock ?? (() => new Date());
    this.faults = { latencyMs: 0, jitterMs: 0, hang: false, reset: false, http500: false, ...opts.faults };
    let before = '';
    this.ps = createPowerShell(model, {
      now: this.clock,
      ...(opts.runtime ? { runtime: opts.runtime } : {}),
      ...(opts.startupMs ? { startupMs: opts.startupMs } : {}),
      gate: (plan, stage) => this.planGate?.(plan, stage),
      // Only a write plan can change the model: read plans skip the (costly) before/after comparison.
      beforePlan: (plan) => {
        this.runDueTasks();
        before = plan.mode === 'write' ? JSON.stringify(this.model) : '';
      },
      afterPlan: (result, plan) => {
        this.lastResult = result;
        if (plan.mode === 'write' && JSON.stringify(this.model) !== before) this.emit();
      },
    });
  }

  allowsRemoteShell(): boolean {
    return this.model.allowRemoteShellAccess !== false;
  }

  get computerName(): string {
    return this.model.computerName.toUpperCase();
  }

  /** Accepts "user", ".\user", "HOST\user" and "user@host" for local accounts. */
  passwordFor(username: string): string | undefined {
    let name = username.trim();
    const slash = name.lastIndexOf('\\');
    if (slash >= 0) {
      const domain = name.slice(0, slash).toUpperCase();
      if (domain !== '.' && domain !== this.computerName) return undefined;
      name = name.slice(slash + 1);
    } else if (name.includes('@')) {
      const [user = '', domain = ''] = name.split('@');
      if (domain.split('.')[0]?.toUpperCase() !== this.computerName) return undefined;
      name = user;
    }
    return this.model.users[name.toLowerCase()]?.password;
  }

  powershell(script: string): LabProcess {
    return this.ps(script);
  }

  /** A deep copy of the model, for before/after comparisons. */
  snapshot(): HostModel {
    return structuredClone(this.model);
  }

  rdpState(): RdpListenerState {
    this.runDueTasks();
    return deriveRdpState(this.model);
  }

  /** Subscribes to model changes; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes the model directly (tests, the demo's "break it" buttons) and notifies listeners. */
  mutate(fn: (model: HostModel) => void): void {
    fn(this.model);
    this.emit();
  }

  /** Runs revert tasks that are due at `now` (default: the lab clock). */
  runDueTasks(now: Date = this.clock()): TaskRun[] {
    const runs = runDueTasks(this.model, now);
    if (runs.length) this.emit();
    return runs;
  }

  /** Polls for due revert tasks every `intervalMs` (unref'd timer); stop() ends it. */
  startTaskClock(intervalMs = 1000): void {
    this.stop();
    this.timer = setInterval(() => this.runDueTasks(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(): void {
    for (const l of [...this.listeners]) {
      try {
        l(this);
      } catch {
        // A failing listener must not break the host or the other listeners.
      }
    }
  }
}
