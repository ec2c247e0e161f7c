/**
 * The InferenceStack wizard's six steps (spec §3.10.2): one Zod schema per step, mirroring
 * crd/inference_stack.py and crd/model_spec.py, and the stack built from them.
 */
import { z } from 'zod';
import { compact, duration, hostname, labelsText, namespaceName, objectName, parseLabels } from './common';

export const BACKENDS = ['triton', 'vllm', 'tgi', 'sglang', 'trtllm'] as const;
export const PROVIDERS = ['deployment', 'dynamo', 'kuberay', 'kaito'] as const;
export const GPU_TYPES = ['A100', 'H100', 'L40S', 'T4'] as const;
export const STRATEGIES = ['least_queue', 'best_kv_cache', 'prefix_affinity', 'composite'] as const;

export const STRATEGY_HELP: Record<(typeof STRATEGIES)[number], { title: string; text: string }> = {
  least_queue: { title: 'Least queue depth', text: 'Send each request to the pod with the shortest queue (default).' },
  best_kv_cache: { title: 'Best KV-cache available', text: 'Send to the pod with the most free KV-cache memory.' },
  prefix_affinity: { title: 'Prefix cache affinity', text: 'Send similar prompts to the same pod to reuse its prefix cache.' },
  composite: { title: 'Composite', text: 'Weighted mix of queue depth, KV-cache and prefix affinity (weights sum to 1).' },
};

const HF_MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

// Step 1: model backend.
export const modelStep = z
  .object({
    backend: z.enum(BACKENDS),
    provider: z.enum(PROVIDERS),
    name: z.string().trim().min(1, 'Required').max(253),
    modelId: z.union([z.literal(''), z.string().max(256).regex(HF_MODEL_ID, 'A Hugging Face id like org/model')]),
    image: z.string().trim().max(1024),
    gpuType: z.string().trim().min(1, 'Required').max(63),
    gpusPerPod: z.number({ error: 'A number' }).int().min(0, '0 or more'),
  })
  .refine((v) => v.image !== '' || v.modelId !== '', { path: ['image'], message: 'An image is required when no model id is given' });
export type ModelStep = z.infer<typeof modelStep>;

// Step 2: the pool.
export const poolStep = z
  .object({
    name: objectName,
    namespace: namespaceName,
    labels: labelsText,
    podSelector: labelsText,
    nodeSelector: labelsText,
    replicas: z.number({ error: 'A number' }).int().min(0),
    minReplicas: z.number({ error: 'A number' }).int().min(0),
    maxReplicas: z.number({ error: 'A number' }).int().min(1, 'At least 1'),
    cpu: z.string().trim(),
    memory: z.string().trim(),
  })
  .superRefine((v, ctx) => {
    if (v.minReplicas > v.maxReplicas) ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: 'Min replicas must not exceed max replicas' });
    if (v.replicas < v.minReplicas || v.replicas > v.maxReplicas)
      ctx.addIssue({ code: 'custom', path: ['replicas'], message: 'Replicas must be between min and max' });
  });
export type PoolStep = z.infer<typeof poolStep>;

// Step 3: the endpoint picker.
export const eppStep = z
  .object({
    scrapeInterval: duration,
    metricsPath: z.string().regex(/^\//, 'A path starting with /'),
    strategy: z.enum(STRATEGIES),
    queueDepth: z.number().min(0).max(1),
    kvCache: z.number().min(0).max(1),
    prefixCache: z.number().min(0).max(1),
    dcgmEnabled: z.boolean(),
  })
  .superRefine((v, ctx) => {
    const sum = v.queueDepth + v.kvCache + v.prefixCache;
    if (v.strategy === 'composite' && (sum < 0.999 || sum > 1.001))
      ctx.addIssue({ code: 'custom', path: ['queueDepth'], message: `Weights must sum to 1.0 (now ${sum.toFixed(2)})` });
  });
export type EppStep = z.infer<typeof eppStep>;

// Step 4: autoscaling.
const threshold = z.object({ enabled: z.boolean(), value: z.number({ error: 'A number' }).min(0), duration });
export const scalingStep = z
  .object({
    enabled: z.boolean(),
    backend: z.enum(['keda', 'hpa']),
    queueDepth: threshold,
    kvCache: threshold,
    gpuUtil: threshold,
    cooldownPeriod: duration,
  })
  .superRefine((v, ctx) => {
    if (!v.enabled) return;
    if (!v.queueDepth.enabled && !v.kvCache.enabled && !v.gpuUtil.enabled)
      ctx.addIssue({ code: 'custom', path: ['queueDepth', 'enabled'], message: 'Choose at least one scaling trigger' });
    if (v.kvCache.enabled && v.kvCache.value > 100) ctx.addIssue({ code: 'custom', path: ['kvCache', 'value'], message: 'A percentage: at most 100' });
    if (v.gpuUtil.enabled && v.gpuUtil.value > 100) ctx.addIssue({ code: 'custom', path: ['gpuUtil', 'value'], message: 'A percentage: at most 100' });
  });
export type ScalingStep = z.infer<typeof scalingStep>;

// Step 5: gateway attachment.
export const attachStep = z
  .object({
    mode: z.enum(['existing', 'create']),
    gateway: z.string(),
    listenerPort: z.number({ error: 'A port number' }).int().min(1, '1–65535').max(65535, '1–65535'),
    listenerProtocol: z.enum(['HTTP', 'HTTPS']),
    listenerHostname: z.union([z.literal(''), hostname]),
    pathPrefix: z.string().max(1024).regex(/^\/[^\s?#]*$/, 'A path starting with / (no spaces, ? or #)'),
    timeout: duration,
    streaming: z.boolean(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'existing' && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(v.gateway))
      ctx.addIssue({ code: 'custom', path: ['gateway'], message: 'Choose a Gateway (namespace/name)' });
  });
export type AttachStep = z.infer<typeof attachStep>;

export interface InferenceWizardValues {
  readonly model: ModelStep;
  readonly pool: PoolStep;
  readonly epp: EppStep;
  readonly scaling: ScalingStep;
  readonly attach: AttachStep;
}

/** The InferenceStack manifest the wizard's answers describe. */
export function toInferenceStack(v: InferenceWizardValues): Record<string, unknown> {
  const labels = parseLabels(v.pool.labels) ?? {};
  const podLabels = parseLabels(v.pool.podSelector) ?? {};
  const nodeSelector = parseLabels(v.pool.nodeSelector) ?? {};
  const requests: Record<string, string> = {};
  if (v.pool.cpu) requests['cpu'] = v.pool.cpu;
  if (v.pool.memory) requests['memory'] = v.pool.memory;
  const gpu = v.model.gpusPerPod > 0 ? { 'nvidia.com/gpu': String(v.model.gpusPerPod) } : {};
  const t = (x: ScalingStep['queueDepth']) => (x.enabled ? { value: x.value, duration: x.duration } : undefined);
  const [gwNamespace, gwName] = v.attach.gateway.split('/');
  return compact({
    apiVersion: 'ngf-console.f5.com/v1alpha1',
    kind: 'InferenceStack',
    metadata: { name: v.pool.name, namespace: v.pool.namespace, labels: Object.keys(labels).length ? labels : undefined },
    spec: {
      model: {
        backend: v.model.backend,
        provider: v.model.provider,
        name: v.model.name,
        modelId: v.model.modelId || undefined,
        image: v.model.image || undefined,
        gpuType: v.model.gpuType,
        gpusPerPod: v.model.gpusPerPod,
      },
      pool: {
        replicas: v.pool.replicas,
        minReplicas: v.pool.minReplicas,
        maxReplicas: v.pool.maxReplicas,
        selector: Object.keys(podLabels).length ? { matchLabels: podLabels } : undefined,
        nodeSelector: Object.keys(nodeSelector).length ? nodeSelector : undefined,
        resources:
          Object.keys(requests).length || Object.keys(gpu).length
            ? { requests: { ...requests, ...gpu }, limits: Object.keys(gpu).length ? gpu : undefined }
            : undefined,
      },
      epp: {
        scrapeInterval: v.epp.scrapeInterval,
        metricsPath: v.epp.metricsPath,
        strategy: v.epp.strategy,
        compositeWeights:
          v.epp.strategy === 'composite' ? { queueDepth: v.epp.queueDepth, kvCache: v.epp.kvCache, prefixCache: v.epp.prefixCache } : undefined,
        dcgmEnabled: v.epp.dcgmEnabled,
      },
      autoscaling: v.scaling.enabled
        ? {
            backend: v.scaling.backend,
            queueDepthThreshold: t(v.scaling.queueDepth),
            kvCacheThreshold: t(v.scaling.kvCache),
            gpuUtilThreshold: t(v.scaling.gpuUtil),
            cooldownPeriod: v.scaling.cooldownPeriod,
          }
        : undefined,
      gateway: {
        gatewayRef: v.attach.mode === 'existing' ? { name: gwName, namespace: gwNamespace } : undefined,
        createListener:
          v.attach.mode === 'create'
            ? { port: v.attach.listenerPort, protocol: v.attach.listenerProtocol, hostname: v.attach.listenerHostname || undefined }
            : undefined,
        route: { pathPrefix: v.attach.pathPrefix, timeout: v.attach.timeout, streamingEnabled: v.attach.streaming },
      },
    },
  });
}
