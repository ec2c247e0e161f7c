import { describe, expect, it } from 'vitest';
import { meanReplicas, policyErrors, replicasAt, whatIfReplicas, type Policy } from './whatIf';

const policy: Policy = { queueThreshold: 4, kvThreshold: null, minReplicas: 1, maxReplicas: 6 };

describe('what-if replicas', () => {
  it('asks ceil(total waiting / per-pod threshold), clamped to min and max', () => {
    const queue = [[0, 0], [60, 9], [120, 40]] as const;
    expect(whatIfReplicas(queue, [], [[0, 2]], policy)).toEqual([[0, 1], [60, 3], [120, 6]]);
  });

  it('scales the running replicas by the KV cache against its threshold, and takes the larger', () => {
    const both: Policy = { ...policy, kvThreshold: 50 };
    // 2 replicas at 90 % KV cache want ceil(2 × 90 / 50) = 4; the queue (5 / 4) wants 2.
    expect(whatIfReplicas([[0, 5]], [[0, 90]], [[0, 2]], both)).toEqual([[0, 4]]);
  });

  it('reads the replica count in effect at each time', () => {
    const steps = [[10, 1], [100, 3]] as const;
    expect([replicasAt(steps, 5), replicasAt(steps, 50), replicasAt(steps, 100), replicasAt(steps, 500)]).toEqual([1, 1, 3, 3]);
  });

  it('averages step points over time', () => {
    expect(meanReplicas([[0, 1], [30, 3], [60, 3]])).toBe(2);
    expect(meanReplicas([[0, 1]])).toBeNull();
  });

  it('validates a policy as the CRD does', () => {
    expect(policyErrors(policy)).toEqual({});
    expect(policyErrors({ ...policy, queueThreshold: null })).toHaveProperty('queueThreshold');
    expect(policyErrors({ ...policy, kvThreshold: 120 })).toHaveProperty('kvThreshold');
    expect(policyErrors({ ...policy, minReplicas: 4, maxReplicas: 2 })).toEqual({ maxReplicas: 'At least the minimum.' });
  });
});
