import { describe, expect, it } from 'vitest';
import { attachStep, eppStep, modelStep, poolStep, scalingStep, toInferenceStack, type InferenceWizardValues } from './inferenceStack';

const model = { backend: 'triton', provider: 'deployment', name: 'llama-3-8b', modelId: '', image: 'nvcr.io/nvidia/tritonserver:24.08', gpuType: 'A100', gpusPerPod: 1 } as const;
const pool = { name: 'llama', namespace: 'ml', labels: '', podSelector: '', nodeSelector: '', replicas: 2, minReplicas: 1, maxReplicas: 4, cpu: '4', memory: '32Gi' };
const epp = { scrapeInterval: '5s', metricsPath: '/metrics', strategy: 'least_queue', queueDepth: 0.4, kvCache: 0.3, prefixCache: 0.3, dcgmEnabled: true } as const;
const off = { enabled: false, value: 80, duration: '60s' };
const scaling = { enabled: true, backend: 'keda', cooldownPeriod: '300s', queueDepth: { enabled: true, value: 5, duration: '60s' }, kvCache: off, gpuUtil: off } as const;
const attach = { mode: 'create', gateway: '', listenerPort: 80, listenerProtocol: 'HTTP', listenerHostname: '', pathPrefix: '/v1', timeout: '300s', streaming: true } as const;

const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('step 1: model', () => {
  it('needs an image unless a model id is given', () => {
    expect(modelStep.safeParse(model).success).toBe(true);
    expect(paths(modelStep.safeParse({ ...model, image: '' }))).toEqual(['image']);
    expect(modelStep.safeParse({ ...model, image: '', modelId: 'meta-llama/Llama-3.1-8B-Instruct' }).success).toBe(true);
  });
  it('refuses a malformed model id, an unknown backend and negative GPUs', () => {
    expect(paths(modelStep.safeParse({ ...model, modelId: 'not a/model/id' }))).toEqual(['modelId']);
    expect(modelStep.safeParse({ ...model, backend: 'ollama' }).success).toBe(false);
    expect(paths(modelStep.safeParse({ ...model, gpusPerPod: -1 }))).toEqual(['gpusPerPod']);
  });
});

describe('step 2: pool', () => {
  it('keeps replicas between min and max', () => {
    expect(poolStep.safeParse(pool).success).toBe(true);
    expect(paths(poolStep.safeParse({ ...pool, minReplicas: 5 }))).toContain('minReplicas');
    expect(paths(poolStep.safeParse({ ...pool, replicas: 9 }))).toEqual(['replicas']);
  });
  it('checks the name, namespace and label syntax', () => {
    expect(paths(poolStep.safeParse({ ...pool, name: 'Llama', namespace: 'ML', nodeSelector: 'gpu' })).sort()).toEqual(['name', 'namespace', 'nodeSelector']);
  });
});

describe('step 3: endpoint picker', () => {
  it('needs composite weights to sum to 1', () => {
    expect(eppStep.safeParse({ ...epp, strategy: 'composite' }).success).toBe(true);
    const bad = eppStep.safeParse({ ...epp, strategy: 'composite', kvCache: 0.5 });
    expect(bad.error?.issues[0]?.message).toBe('Weights must sum to 1.0 (now 1.20)');
    // Other strategies ignore the weights.
    expect(eppStep.safeParse({ ...epp, kvCache: 0.5 }).success).toBe(true);
  });
  it('checks the interval and the metrics path', () => {
    expect(paths(eppStep.safeParse({ ...epp, scrapeInterval: '5 seconds', metricsPath: 'metrics' })).sort()).toEqual(['metricsPath', 'scrapeInterval']);
  });
});

describe('step 4: autoscaling', () => {
  it('needs one trigger when enabled, and percentages at most 100', () => {
    expect(scalingStep.safeParse(scaling).success).toBe(true);
    expect(paths(scalingStep.safeParse({ ...scaling, queueDepth: off }))).toEqual(['queueDepth.enabled']);
    expect(scalingStep.safeParse({ ...scaling, enabled: false, queueDepth: off }).success).toBe(true);
    expect(paths(scalingStep.safeParse({ ...scaling, kvCache: { enabled: true, value: 120, duration: '60s' } }))).toEqual(['kvCache.value']);
  });
});

describe('step 5: gateway attachment', () => {
  it('needs a chosen Gateway for an existing one, and a valid path prefix', () => {
    expect(attachStep.safeParse(attach).success).toBe(true);
    expect(paths(attachStep.safeParse({ ...attach, mode: 'existing' }))).toEqual(['gateway']);
    expect(attachStep.safeParse({ ...attach, mode: 'existing', gateway: 'infra/shared' }).success).toBe(true);
    expect(paths(attachStep.safeParse({ ...attach, pathPrefix: 'v1?x' }))).toEqual(['pathPrefix']);
  });
});

describe('toInferenceStack', () => {
  it('builds the stack from the six steps', () => {
    const values: InferenceWizardValues = { model: { ...model }, pool, epp: { ...epp }, scaling: { ...scaling }, attach: { ...attach } };
    expect(toInferenceStack(values)).toEqual({
      apiVersion: 'ngf-console.f5.com/v1alpha1',
      kind: 'InferenceStack',
      metadata: { name: 'llama', namespace: 'ml' },
      spec: {
        model: { backend: 'triton', provider: 'deployment', name: 'llama-3-8b', image: 'nvcr.io/nvidia/tritonserver:24.08', gpuType: 'A100', gpusPerPod: 1 },
        pool: {
          replicas: 2,
          minReplicas: 1,
          maxReplicas: 4,
          resources: { requests: { cpu: '4', memory: '32Gi', 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } },
        },
        epp: { scrapeInterval: '5s', metricsPath: '/metrics', strategy: 'least_queue', dcgmEnabled: true },
        autoscaling: { backend: 'keda', queueDepthThreshold: { value: 5, duration: '60s' }, cooldownPeriod: '300s' },
        gateway: { createListener: { port: 80, protocol: 'HTTP' }, route: { pathPrefix: '/v1', timeout: '300s', streamingEnabled: true } },
      },
    });
  });

  it('references an existing Gateway instead of creating a listener', () => {
    const values: InferenceWizardValues = { model: { ...model }, pool, epp: { ...epp }, scaling: { ...scaling, enabled: false }, attach: { ...attach, mode: 'existing', gateway: 'infra/shared' } };
    const spec = (toInferenceStack(values) as { spec: Record<string, Record<string, unknown>> }).spec;
    expect(spec['gateway']?.['gatewayRef']).toEqual({ name: 'shared', namespace: 'infra' });
    expect(spec['gateway']?.['createListener']).toBeUndefined();
    expect(spec['autoscaling']).toBeUndefined();
  });
});
