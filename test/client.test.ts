/** The VS Code client's restart policy (the rest of the client is driven end to end in code-server). */
import * as assert from 'node:assert/strict';
import { RestartPolicy } from '../client/src/restart-policy';

describe('client restart policy', () => {
  it('restarts with a growing delay, tells the user once, and gives up after too many crashes', () => {
    const policy = new RestartPolicy(5, 180_000, 30_000);
    const decisions = [0, 1_000, 3_000, 7_000, 15_000, 31_000].map((t) => policy.onCrash(t));
    assert.deepEqual(
      decisions.map((d) => [d.restart, d.delayMs, d.notify]),
      [
        [true, 1_000, 'restarted'],
        [true, 2_000, undefined],
        [true, 4_000, undefined],
        [true, 8_000, undefined],
        [true, 16_000, undefined],
        [false, 0, 'gave-up'],
      ],
    );
  });

  it('forgets crashes older than its window, caps the delay, and starts afresh after a manual restart', () => {
    const policy = new RestartPolicy(3, 60_000, 5_000);
    policy.onCrash(0);
    policy.onCrash(1);
    policy.onCrash(2);
    assert.equal(policy.onCrash(3).restart, false);
    assert.deepEqual(policy.onCrash(100_000), { restart: true, delayMs: 1_000 });
    policy.reset();
    for (let i = 0; i < 3; i++) assert.ok(policy.onCrash(200_000 + i).restart);
    const capped = new RestartPolicy(10, 60_000, 5_000);
    const delays = Array.from({ length: 6 }, (_, i) => capped.onCrash(i).delayMs);
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });
});
