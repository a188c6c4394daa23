// "Show the PowerShell": the exact plan of an approval in plain words (every write, none cut), its
// hash, and the PowerShell an operator could run by hand for it as a file (rdp/fixes/plan-script.ts
// writes it from the same plan object, and refuses a plan whose hash is not the approved one).
import type { Card } from '../chat/model.ts';
import { describePlan } from '../rdp/fixes/describe-plan.ts';
import { planScript, planScriptName } from '../rdp/fixes/plan-script.ts';
import type { FixPlan } from '../rdp/types.ts';
import { RISK_LABEL } from './risk.ts';

export function planScriptCard(plan: FixPlan, approvalId: string, approvedHash: string): Card {
  const script = planScript(plan, approvedHash);
  const steps = describePlan(plan.apply);
  return {
    title: `The exact plan: ${plan.title} on ${plan.host}`,
    status: 'info',
    sections: [
      { kind: 'text', text: plan.impact.summary },
      { kind: 'code', text: steps.map((l, i) => `${i + 1}. ${l}`).join('\n') || '(no writes)' },
      {
        kind: 'fields',
        fields: [
          { label: 'Plan hash', value: `sha256 ${approvedHash.slice(0, 16)}… (the script's first lines give it whole)` },
          { label: 'Risk', value: RISK_LABEL[plan.risk] },
        ],
      },
      { kind: 'text', text: `The file is the PowerShell for these ${plan.apply.ops.length} steps: rdp-medic's runtime primitives and each step as commands, checking first that the host still holds what the diagnosis saw. Read it, compare it, or run it by hand on ${plan.host} when the bot cannot.` },
    ],
    actions: [],
    footer: `approval ${approvalId} · fix ${plan.fixId}`,
    file: { name: planScriptName(plan), mime: 'text/x-powershell', content: script },
  };
}
