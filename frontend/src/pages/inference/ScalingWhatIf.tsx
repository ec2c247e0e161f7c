/**
 * The scaling policy builder of spec §3.10.4: edit the stack's thresholds and replica
 * bounds, see over the recorded load how many replicas they would have asked for (the
 * what-if overlay, whatIf.ts) against those that ran, then apply through the API (dry run
 * first: the server validates; the operator re-renders the autoscaler).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, apiPut, clusterPath } from '../../api/client';
import { usePoolMetrics, usePoolScalingEvents, type Range } from '../../api/inferenceQueries';
import type { KubeObject } from '../../api/types';
import { Button, Card, ErrorBox, Field } from '../../components/ui';
import { useWriteRefusal } from '../../components/WriteGuard';
import { TimeChart } from './charts';
import { replicaSteps } from './scalingTimeline';
import { meanReplicas, policyErrors, whatIfReplicas, type Policy } from './whatIf';

interface Threshold {
  value?: number;
  duration?: string;
}
interface ScalingSpec {
  pool?: { minReplicas?: number; maxReplicas?: number };
  autoscaling?: { queueDepthThreshold?: Threshold; kvCacheThreshold?: Threshold };
}

const inputClass = 'w-28 rounded-md border border-line bg-surface px-2 py-1 text-sm';

function parse(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** The stack with `policy` written into its spec (other fields, and durations, untouched). */
export function withPolicy(stack: KubeObject, policy: Policy): KubeObject {
  const spec = structuredClone(stack.spec ?? {}) as ScalingSpec & Record<string, unknown>;
  const autoscaling = { ...(spec.autoscaling ?? {}) } as Record<string, unknown>;
  const set = (key: 'queueDepthThreshold' | 'kvCacheThreshold', value: number | null) => {
    if (value === null) delete autoscaling[key];
    else autoscaling[key] = { duration: '60s', ...(spec.autoscaling?.[key] ?? {}), value };
  };
  set('queueDepthThreshold', policy.queueThreshold);
  set('kvCacheThreshold', policy.kvThreshold);
  spec.autoscaling = autoscaling;
  spec.pool = { ...(spec.pool ?? {}), minReplicas: policy.minReplicas, maxReplicas: policy.maxReplicas };
  const { metadata } = stack;
  return { apiVersion: stack.apiVersion, kind: stack.kind, metadata: { name: metadata.name, namespace: metadata.namespace }, spec } as KubeObject;
}

export function ScalingWhatIf({ namespace, name, range, stack, current }: { namespace: string; name: string; range: Range; stack: KubeObject; current: number | null }) {
  const spec = (stack.spec ?? {}) as ScalingSpec;
  const [text, setText] = useState({
    queueThreshold: String(spec.autoscaling?.queueDepthThreshold?.value ?? ''),
    kvThreshold: String(spec.autoscaling?.kvCacheThreshold?.value ?? ''),
    minReplicas: String(spec.pool?.minReplicas ?? 1),
    maxReplicas: String(spec.pool?.maxReplicas ?? 1),
  });
  const [state, setState] = useState<{ step: 'edit' | 'reviewed' | 'applied'; error: unknown }>({ step: 'edit', error: null });
  const client = useQueryClient();
  const refusal = useWriteRefusal('InferenceStack', namespace);
  const metrics = usePoolMetrics(namespace, name, range);
  const events = usePoolScalingEvents(namespace, name, range);

  const policy: Policy = {
    queueThreshold: parse(text.queueThreshold),
    kvThreshold: parse(text.kvThreshold),
    minReplicas: Number(text.minReplicas),
    maxReplicas: Number(text.maxReplicas),
  };
  const errors = policyErrors(policy);
  const queue = metrics.data?.series['queue_depth'] ?? [];
  const kv = metrics.data?.series['kv_cache_pct'] ?? [];
  const now = (metrics.dataUpdatedAt || Date.now()) / 1000;
  const start = queue[0]?.[0] ?? kv[0]?.[0] ?? now;
  const actual = replicaSteps(events.data ?? [], start, now, current);
  const whatIf = Object.keys(errors).length === 0 ? whatIfReplicas(queue, kv, actual, policy) : [];
  const meanActual = meanReplicas(actual);
  const meanWhatIf = meanReplicas(whatIf);
  const stackName = stack.metadata.name;
  const path = clusterPath(`/inferencestacks/${encodeURIComponent(namespace)}/${encodeURIComponent(stackName)}`);

  const edit = (key: keyof typeof text) => (value: string) => {
    setText((t) => ({ ...t, [key]: value }));
    setState({ step: 'edit', error: null });
  };
  const submit = async (dryRun: boolean) => {
    try {
      await apiPut(`${path}${dryRun ? '?dryRun=true' : ''}`, withPolicy(stack, policy));
      setState({ step: dryRun ? 'reviewed' : 'applied', error: null });
      if (!dryRun) await client.invalidateQueries({ queryKey: ['cluster'] });
    } catch (error) {
      setState({ step: 'edit', error });
    }
  };
  const causes = state.error instanceof ApiError ? state.error.causes : [];

  const input = (key: keyof typeof text, label: string, hint: string) => (
    <Field id={`whatif-${key}`} label={label} error={errors[key] ?? causes.find((c) => c.field?.includes(key.replace('Threshold', '')))?.message} hint={hint}>
      <input id={`whatif-${key}`} type="number" step="any" className={inputClass} value={text[key]} onChange={(e) => edit(key)(e.target.value)} />
    </Field>
  );

  return (
    <Card title="Scaling policy (what if)">
      <div className="space-y-3">
        <div className="flex flex-wrap gap-4">
          {input('queueThreshold', 'Queue depth per pod', 'empty: no queue trigger')}
          {input('kvThreshold', 'KV cache %', 'empty: no KV-cache trigger')}
          {input('minReplicas', 'Min replicas', '')}
          {input('maxReplicas', 'Max replicas', '')}
        </div>
        <TimeChart
          title="Replicas: ran vs what-if"
          series={[
            { name: 'ran', points: actual },
            { name: 'what-if', points: whatIf },
          ]}
          unit="replicas"
          curve="stepAfter"
          gaps={false}
          height={160}
          pending={metrics.isPending}
          error={metrics.error}
          summary={`Mean replicas over the window: ran ${meanActual?.toFixed(1) ?? '—'}, what-if ${meanWhatIf?.toFixed(1) ?? '—'} (one-step estimate on the recorded load).`}
        />
        {state.error !== null && <ErrorBox error={state.error} title="The API refused the change" />}
        {state.step === 'reviewed' && <p className="text-sm">The API server accepts this change (dry run). Apply it to InferenceStack {stackName}?</p>}
        {state.step === 'applied' && (
          <p role="status" className="text-sm">
            Applied: the operator re-renders the autoscaler of {stackName}.
          </p>
        )}
        <div className="flex gap-2">
          <Button type="button" disabled={Object.keys(errors).length > 0 || refusal !== null} title={refusal ?? undefined} onClick={() => void submit(true)}>
            Review change (dry run)
          </Button>
          <Button type="button" variant="primary" disabled={state.step !== 'reviewed'} onClick={() => void submit(false)}>
            Apply
          </Button>
        </div>
        {refusal && <p className="text-xs text-fg-muted">{refusal}</p>}
      </div>
    </Card>
  );
}
