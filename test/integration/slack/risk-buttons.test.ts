// Button styles follow risk, through the real Bolt against FakeSlack with the lab, a worker and the
// bot: on a firewall-blocked host the fix (it opens the RDP port) is a danger button whose danger
// confirm dialog names what it opens, and so is Approve; Reject never is. A safe fix's Approve is
// primary without a dialog.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { trackUnhandledRejections } from '../../adapters/slack/harness.ts';
import { alice, all, button, inThread, isRoot, saying, startSlackStack, textOf, tsOf, WAIT, withButton, type SlackStack } from './slack-stack.ts';

const rejections = trackUnhandledRejections();
after(() => {
  rejections.dispose();
  assert.deepEqual(rejections.errors, [], 'no unhandled rejections');
});

type Confirm = { text?: { text?: string }; style?: string };

describe('Slack: button styles and confirm dialogs follow risk', () => {
  let s: SlackStack;
  before(async () => {
    s = await startSlackStack('socket', { hosts: [{ name: 'fw-pc', scenarios: ['firewall-blocked'] }, { name: 'work-pc', scenarios: ['cert-expired'] }] });
  });
  after(async () => s?.close());

  async function approvalFor(host: string, fixId: string) {
    const { fake, driver } = s;
    await driver.command(`check ${host}`, alice);
    const root = await fake.waitFor(all(isRoot, saying(new RegExp(`Checking ${host} for @alice`))), WAIT);
    const rootTs = tsOf(root);
    const fixCard = await fake.waitFor(all(inThread(rootTs), withButton(`propose:${host}:${fixId}`)), WAIT);
    const propose = button(fixCard, `propose:${host}:${fixId}`);
    await driver.click(propose.action_id, { ts: tsOf(fixCard), threadTs: rootTs }, alice);
    const approval = await fake.waitFor(all(inThread(rootTs), withButton('approve:')), WAIT);
    return { propose, approval };
  }

  test('a fix that opens the RDP port: danger, with a danger confirm that says what it opens; Reject plain', async () => {
    const { propose, approval } = await approvalFor('fw-pc', 'enable-rdp-firewall-rules');
    assert.equal(propose.style, 'danger');
    const proposeConfirm = propose.confirm as Confirm;
    assert.equal(proposeConfirm.style, 'danger');
    assert.match(proposeConfirm.text?.text ?? '', /^Weakens security on fw-pc\. It opens TCP and UDP 3389 to any address until someone undoes it\./);

    const approve = button(approval, 'approve:');
    const confirm = approve.confirm as Confirm;
    assert.equal(approve.style, 'danger');
    assert.equal(confirm.style, 'danger');
    assert.match(confirm.text?.text ?? '', /^Nobody is disconnected\. It opens TCP and UDP 3389 to any address until someone undoes it\./);
    assert.equal(button(approval, 'reject:').style, undefined, 'Reject changes nothing: no alarming colour');
    assert.match(textOf(approval), /Risk\*\nweakens security/);
    assert.match(textOf(approval), /Security\*\nIt (opens TCP and UDP 3389 to any address|weakens security) until someone undoes it\./);
    assert.doesNotMatch(textOf(approval), /does not weaken security/);
  });

  test('a safe fix: Approve primary without a dialog, Reject plain', async () => {
    const { propose, approval } = await approvalFor('work-pc', 'regenerate-rdp-certificate');
    assert.equal(propose.style, 'primary');
    assert.equal(propose.confirm, undefined);
    const approve = button(approval, 'approve:');
    assert.equal(approve.style, 'primary');
    assert.equal(approve.confirm, undefined);
    assert.equal(button(approval, 'reject:').style, undefined);
  });
});
