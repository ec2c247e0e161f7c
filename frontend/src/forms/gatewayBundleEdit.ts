/**
 * Editing an existing GatewayBundle (spec §3.3.4): the document compared in the review's
 * diff, the wizard's new manifest merged over what the form cannot hold, and the data-plane
 * scale (`spec.infrastructure.replicas`).
 */
import { z } from 'zod';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

// Written by kubectl apply: a copy of the object, noise in a diff and never edited here.
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The part of a GatewayBundle a person edits: identity, labels, annotations and spec — no
 * status, no server-set metadata. Both sides of the review's diff are this shape.
 */
export function bundleDocument(bundle: Json): Json {
  const meta = asObject(bundle['metadata']);
  const annotations = Object.fromEntries(Object.entries(asObject(meta['annotations'])).filter(([k]) => k !== LAST_APPLIED));
  const labels = asObject(meta['labels']);
  return {
    apiVersion: bundle['apiVersion'] ?? 'ngf-console.f5.com/v1alpha1',
    kind: bundle['kind'] ?? 'GatewayBundle',
    metadata: {
      name: meta['name'],
      namespace: meta['namespace'],
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: bundle['spec'] ?? {},
  };
}

// Spec fields the wizard edits; any other (a newer CRD's) is carried over unchanged.
const FORM_FIELDS = new Set(['gatewayClassName', 'listeners', 'allowedRoutes', 'infrastructure', 'waf', 'nginxProxy', 'snippets']);
const ENTERPRISE_FIELDS = ['waf', 'nginxProxy', 'snippets'] as const;

/** One listener of the wizard's output, with what the form cannot show taken from the current one. */
function mergedListener(next: Json, current: Json | undefined): Json {
  const tls = asObject(next['tls']);
  const before = asObject(current?.['tls']);
  if (next['tls'] === undefined || current === undefined) return next;
  const out: Json = { ...tls };
  const ref = asObject(tls['certificateRef']);
  const beforeRef = asObject(before['certificateRef']);
  // A Secret in another namespace: the form edits the name only.
  if (tls['certificateRef'] !== undefined && beforeRef['namespace'] !== undefined && beforeRef['name'] === ref['name'])
    out['certificateRef'] = { ...ref, namespace: beforeRef['namespace'] };
  // An inline certificate (its key redacted by the API, restored by it on the write).
  if (tls['mode'] === 'Terminate' && tls['certificateRef'] === undefined && before['inlineCert'] !== undefined) out['inlineCert'] = before['inlineCert'];
  return { ...next, tls: out };
}

/**
 * The bundle to PUT: the wizard's manifest (`toGatewayBundle` of the edited answers) over the
 * current bundle, keeping what the form does not cover — inline certificates, a Secret's
 * namespace, data-plane resources, NginxProxy pass-through config, annotations, unknown spec
 * fields and, when the Enterprise steps were not shown (`enterprise` false), the WAF,
 * NginxProxy and snippets as they are.
 */
export function editedBundle(current: Json, next: Json, enterprise: boolean): Json {
  const base = bundleDocument(current);
  const spec = asObject(base['spec']);
  const nextSpec = { ...asObject(next['spec']) };
  const byName = new Map<string, Json>();
  for (const l of Array.isArray(spec['listeners']) ? spec['listeners'] : []) byName.set(String(asObject(l)['name']), asObject(l));
  nextSpec['listeners'] = (Array.isArray(nextSpec['listeners']) ? nextSpec['listeners'] : []).map((l) => mergedListener(asObject(l), byName.get(String(asObject(l)['name']))));

  const resources = asObject(spec['infrastructure'])['resources'];
  if (resources !== undefined) nextSpec['infrastructure'] = { ...asObject(nextSpec['infrastructure']), resources };
  const additional = asObject(spec['nginxProxy'])['additionalConfig'];
  if (enterprise && additional !== undefined) nextSpec['nginxProxy'] = { ...asObject(nextSpec['nginxProxy']), additionalConfig: additional };
  if (!enterprise) {
    for (const field of ENTERPRISE_FIELDS) {
      if (spec[field] === undefined) delete nextSpec[field];
      else nextSpec[field] = spec[field];
    }
  }
  for (const [key, value] of Object.entries(spec)) if (!FORM_FIELDS.has(key)) nextSpec[key] = value;

  const meta = asObject(base['metadata']);
  const labels = asObject(asObject(next['metadata'])['labels']);
  return {
    ...base,
    metadata: {
      name: meta['name'],
      namespace: meta['namespace'],
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(meta['annotations'] !== undefined ? { annotations: meta['annotations'] } : {}),
    },
    spec: nextSpec,
  };
}

/**
 * The spec version an edit was based on (`metadata.generation`). Not the resourceVersion: the
 * operator's status writes bump that every reconcile, which would refuse every save.
 */
export function generationOf(bundle: Json): number | undefined {
  const generation = asObject(bundle['metadata'])['generation'];
  return typeof generation === 'number' ? generation : undefined;
}

/**
 * Data-plane replicas for the scale control. The CRD takes any int32 >= 0
 * (crd/common.py ReplicaCount); scaling an existing gateway to 0 would stop it serving, so
 * the control asks for at least 1.
 */
export const MAX_REPLICAS = 2_147_483_647;
export const scaleReplicas = z
  .number({ error: 'A number of replicas' })
  .int('A whole number')
  .min(1, 'At least 1 (0 would stop the data plane serving traffic)')
  .max(MAX_REPLICAS, `At most ${MAX_REPLICAS} (the CRD's limit)`);

/** The replicas the bundle asks for (undefined: the NGF default). */
export function replicasOf(bundle: Json): number | undefined {
  const replicas = asObject(asObject(bundle['spec'])['infrastructure'])['replicas'];
  return typeof replicas === 'number' ? replicas : undefined;
}

/** The bundle document with `spec.infrastructure.replicas` set, everything else as it is. */
export function withReplicas(bundle: Json, replicas: number): Json {
  const document = bundleDocument(bundle);
  const spec = asObject(document['spec']);
  return { ...document, spec: { ...spec, infrastructure: { ...asObject(spec['infrastructure']), replicas } } };
}
