// The demo's walkthrough: what to type, printed at the start and played by `demo --auto`.
export const WALKTHROUGH: { line: string; why: string }[] = [
  { line: 'check work-pc', why: 'alice (a responder) checks work-pc: its RDP certificate has expired' },
  { line: '/click Fix:', why: 'she asks for the proposed fix; the bot posts an approval request' },
  { line: '/click Approve', why: 'she cannot approve it herself: only approvers can' },
  { line: '/as bob', why: 'bob is an approver' },
  { line: '/click Approve', why: 'bob approves: the fix runs, is verified from outside, and offers Undo' },
  { line: 'status work-pc', why: 'the last verdict: the root message above now says it was fixed' },
  { line: 'check kiosk-07', why: 'a machine rdp-medic cannot reach: one finding says what was tried and what to do' },
  { line: 'history work-pc', why: 'the audit trail: who asked, who approved, what ran' },
  { line: 'check group:lab', why: 'every lab host at once: one summary, updated in place' },
  { line: '/as carol', why: 'carol\'s role covers only the hosts tagged cert-expired or healthy' },
  { line: 'check group:lab', why: 'her check covers those two hosts and says how many were left out' },
];

export function walkthroughText(): string {
  const width = Math.max(...WALKTHROUGH.map((s) => s.line.length));
  return [
    'Walkthrough (type these, or run `npm run demo -- --auto` to watch):',
    ...WALKTHROUGH.map((s) => `  ${s.line.padEnd(width)}   # ${s.why}`),
    '',
    'Buttons are numbers in [brackets]: type the number (or /click N, or /click LABEL). /as NAME switches',
    'user (alice responds, bob approves, carol looks after two hosts). bob.admin is bob too (policy.people): as bob.admin,',
    'bob cannot approve what bob asked (four-eyes compares people). help lists the commands. Ctrl-D or /quit ends the demo.',
  ].join('\n');
}
