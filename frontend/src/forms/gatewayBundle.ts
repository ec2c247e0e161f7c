/**
 * The GatewayBundle wizard's steps (spec §3.2): one Zod schema per step, and the bundle built
 * from them. The rules mirror the CRD's (crd/gateway_bundle.py) so a mistake is shown on the
 * field as it is typed, before the API's dry run says the same.
 */
import { z } from 'zod';
import { compact, hostname, labelsText, namespaceName, objectName, optionalNumber, parseLabels } from './common';

export const PROTOCOLS = ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

// Step 1: the GatewayClass.
export const classStep = z.object({ gatewayClassName: objectName });
export type ClassStep = z.infer<typeof classStep>;

// Step 2: the Gateway and its listeners.
export const listenerSchema = z.object({
  name: objectName,
  protocol: z.enum(PROTOCOLS),
  port: z.number({ error: 'A port number' }).int('A whole number').min(1, '1–65535').max(65535, '1–65535'),
  hostname: z.union([z.literal(''), hostname]),
  tlsMode: z.enum(['Terminate', 'Passthrough']),
  certificateRef: z.string(),
  // Set only when editing a bundle whose listener holds an inline certificate (PEM the form
  // cannot show): the edit keeps it, so no Secret reference is asked for.
  inlineCert: z.boolean().optional(),
});
export type ListenerForm = z.infer<typeof listenerSchema>;

/** The transport a protocol runs on: listeners on one port must agree on the protocol within it. */
function transport(protocol: Protocol): 'tcp' | 'udp' {
  return protocol === 'UDP' ? 'udp' : 'tcp';
}

export const gatewayStep = z
  .object({
    name: objectName,
    namespace: namespaceName,
    labels: labelsText,
    allowedRoutes: z.enum(['Same', 'All', 'Selector']),
    routeNamespaceSelector: z.string(),
    replicas: optionalNumber.pipe(z.number().int().min(0).max(100).optional()),
    listeners: z.array(listenerSchema).min(1, 'At least one listener').max(64, 'At most 64 listeners'),
  })
  .superRefine((v, ctx) => {
    const names = new Map<string, number>();
    const endpoints = new Map<string, number>();
    const portProtocol = new Map<string, { protocol: Protocol; index: number }>();
    v.listeners.forEach((l, i) => {
      const at = (field: string) => ['listeners', i, field];
      const prior = names.get(l.name);
      if (prior !== undefined) ctx.addIssue({ code: 'custom', path: at('name'), message: `Listener name already used by listener ${prior + 1}` });
      names.set(l.name, i);

      const endpoint = `${l.port}/${l.protocol}/${l.hostname}`;
      const same = endpoints.get(endpoint);
      if (same !== undefined)
        ctx.addIssue({ code: 'custom', path: at('port'), message: `Port, protocol and hostname are the same as listener ${same + 1}` });
      endpoints.set(endpoint, i);

      const key = `${l.port}/${transport(l.protocol)}`;
      const other = portProtocol.get(key);
      if (other && other.protocol !== l.protocol)
        ctx.addIssue({ code: 'custom', path: at('port'), message: `Port ${l.port} is already ${other.protocol} on listener ${other.index + 1}` });
      else if (!other) portProtocol.set(key, { protocol: l.protocol, index: i });

      if ((l.protocol === 'TCP' || l.protocol === 'UDP') && l.hostname !== '')
        ctx.addIssue({ code: 'custom', path: at('hostname'), message: `${l.protocol} listeners take no hostname` });
      if (l.protocol === 'HTTPS' && l.tlsMode !== 'Terminate')
        ctx.addIssue({ code: 'custom', path: at('tlsMode'), message: 'HTTPS terminates TLS at the gateway' });
      const needsCert = l.protocol === 'HTTPS' || (l.protocol === 'TLS' && l.tlsMode === 'Terminate');
      if (needsCert && l.certificateRef.trim() === '' && !l.inlineCert)
        ctx.addIssue({ code: 'custom', path: at('certificateRef'), message: 'A TLS Secret is required to terminate TLS' });
    });
    if (v.allowedRoutes === 'Selector' && Object.keys(parseLabels(v.routeNamespaceSelector) ?? {}).length === 0)
      ctx.addIssue({ code: 'custom', path: ['routeNamespaceSelector'], message: 'Namespace labels (key=value) are required for Selector' });
  });
export type GatewayStep = z.infer<typeof gatewayStep>;
export type GatewayStepInput = z.input<typeof gatewayStep>;

// Step 3: WAF (Enterprise).
export const wafStep = z.object({
  enabled: z.boolean(),
  policyRef: z.union([z.literal(''), objectName]),
  violationRatingThreshold: z.number().int().min(1).max(5),
  mode: z.enum(['enforce', 'log-only']),
  botDefense: z.boolean(),
});
export type WafStep = z.infer<typeof wafStep>;

export const VIOLATION_LABELS: Record<number, string> = {
  1: 'Block almost everything suspicious (strictest)',
  2: 'Block likely attacks',
  3: 'Block probable attacks (balanced)',
  4: 'Block clear attacks only',
  5: 'Block only the most certain attacks (most permissive)',
};

// Step 4: advanced (Enterprise): NginxProxy and snippets.
export const advancedStep = z.object({
  workerProcesses: optionalNumber.pipe(z.number().int().min(1, 'At least 1').optional()),
  workerConnections: optionalNumber.pipe(z.number().int().min(1, 'At least 1').optional()),
  snippets: z
    .array(z.object({ context: z.enum(['http', 'server', 'location']), content: z.string().trim().min(1, 'The snippet is empty') }))
    .max(64),
});
export type AdvancedStep = z.infer<typeof advancedStep>;
export type AdvancedStepInput = z.input<typeof advancedStep>;

export interface GatewayWizardValues {
  readonly cls: ClassStep;
  readonly gateway: GatewayStep;
  readonly waf: WafStep | null;
  readonly advanced: AdvancedStep | null;
}

export const DEFAULT_LISTENER: ListenerForm = { name: 'http', protocol: 'HTTP', port: 80, hostname: '', tlsMode: 'Terminate', certificateRef: '' };

/** The GatewayBundle manifest the wizard's answers describe. */
export function toGatewayBundle(v: GatewayWizardValues): Record<string, unknown> {
  const g = v.gateway;
  const labels = parseLabels(g.labels) ?? {};
  const listeners = g.listeners.map((l) => {
    const takesTls = l.protocol === 'HTTPS' || l.protocol === 'TLS';
    const takesHost = l.protocol !== 'TCP' && l.protocol !== 'UDP';
    return {
      name: l.name,
      port: l.port,
      protocol: l.protocol,
      ...(takesHost && l.hostname ? { hostname: l.hostname } : {}),
      ...(takesTls
        ? {
            tls: {
              mode: l.protocol === 'HTTPS' ? 'Terminate' : l.tlsMode,
              ...((l.protocol === 'HTTPS' || l.tlsMode === 'Terminate') && l.certificateRef ? { certificateRef: { name: l.certificateRef.trim() } } : {}),
            },
          }
        : {}),
    };
  });
  const spec: Record<string, unknown> = {
    gatewayClassName: v.cls.gatewayClassName,
    listeners,
    allowedRoutes:
      g.allowedRoutes === 'Same'
        ? undefined
        : { namespaces: g.allowedRoutes, ...(g.allowedRoutes === 'Selector' ? { selector: { matchLabels: parseLabels(g.routeNamespaceSelector) ?? {} } } : {}) },
    infrastructure: g.replicas !== undefined ? { replicas: g.replicas } : undefined,
    waf:
      v.waf && v.waf.enabled
        ? { policyRef: v.waf.policyRef || undefined, violationRatingThreshold: v.waf.violationRatingThreshold, mode: v.waf.mode, botDefense: v.waf.botDefense }
        : undefined,
    nginxProxy:
      v.advanced && (v.advanced.workerProcesses !== undefined || v.advanced.workerConnections !== undefined)
        ? { workerProcesses: v.advanced.workerProcesses, workerConnections: v.advanced.workerConnections }
        : undefined,
    snippets: v.advanced && v.advanced.snippets.length > 0 ? v.advanced.snippets : undefined,
  };
  return compact({
    apiVersion: 'ngf-console.f5.com/v1alpha1',
    kind: 'GatewayBundle',
    metadata: { name: g.name, namespace: g.namespace, labels: Object.keys(labels).length ? labels : undefined },
    spec,
  });
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function labelsOf(value: unknown): string {
  return Object.entries(asObject(value))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/**
 * The wizard's answers for an existing GatewayBundle: the inverse of `toGatewayBundle`, so
 * the edit wizard opens pre-filled. What the form cannot hold (an inline certificate's PEM,
 * data-plane resources, NginxProxy pass-through fields) is kept by `editedBundle`
 * (forms/gatewayBundleEdit.ts), not here.
 */
export function fromBundle(bundle: Json): GatewayWizardValues {
  const meta = asObject(bundle['metadata']);
  const spec = asObject(bundle['spec']);
  const listeners = (Array.isArray(spec['listeners']) ? spec['listeners'] : []).map((raw): ListenerForm => {
    const l = asObject(raw);
    const tls = asObject(l['tls']);
    const listener: ListenerForm = {
      name: String(l['name'] ?? ''),
      protocol: (PROTOCOLS as readonly string[]).includes(String(l['protocol'])) ? (l['protocol'] as Protocol) : 'HTTP',
      port: Number(l['port']),
      hostname: typeof l['hostname'] === 'string' ? l['hostname'] : '',
      tlsMode: tls['mode'] === 'Passthrough' ? 'Passthrough' : 'Terminate',
      certificateRef: typeof asObject(tls['certificateRef'])['name'] === 'string' ? String(asObject(tls['certificateRef'])['name']) : '',
    };
    return tls['inlineCert'] !== undefined ? { ...listener, inlineCert: true } : listener;
  });
  const allowed = asObject(spec['allowedRoutes']);
  const namespaces = allowed['namespaces'];
  const infrastructure = asObject(spec['infrastructure']);
  const waf = spec['waf'] === undefined ? null : asObject(spec['waf']);
  const proxy = asObject(spec['nginxProxy']);
  const snippets = (Array.isArray(spec['snippets']) ? spec['snippets'] : []).map((s) => {
    const snippet = asObject(s);
    return { context: snippet['context'] as 'http' | 'server' | 'location', content: String(snippet['content'] ?? '') };
  });
  const hasAdvanced = proxy['workerProcesses'] !== undefined || proxy['workerConnections'] !== undefined || snippets.length > 0;
  return {
    cls: { gatewayClassName: String(spec['gatewayClassName'] ?? '') },
    gateway: {
      name: String(meta['name'] ?? ''),
      namespace: String(meta['namespace'] ?? ''),
      labels: labelsOf(meta['labels']),
      allowedRoutes: namespaces === 'All' || namespaces === 'Selector' ? namespaces : 'Same',
      routeNamespaceSelector: labelsOf(asObject(allowed['selector'])['matchLabels']),
      replicas: typeof infrastructure['replicas'] === 'number' ? infrastructure['replicas'] : undefined,
      listeners,
    },
    waf:
      waf === null
        ? null
        : {
            enabled: true,
            policyRef: typeof waf['policyRef'] === 'string' ? waf['policyRef'] : '',
            violationRatingThreshold: typeof waf['violationRatingThreshold'] === 'number' ? waf['violationRatingThreshold'] : 3,
            mode: waf['mode'] === 'log-only' ? 'log-only' : 'enforce',
            botDefense: waf['botDefense'] === true,
          },
    advanced: hasAdvanced
      ? {
          workerProcesses: typeof proxy['workerProcesses'] === 'number' ? proxy['workerProcesses'] : undefined,
          workerConnections: typeof proxy['workerConnections'] === 'number' ? proxy['workerConnections'] : undefined,
          snippets,
        }
      : null,
  };
}
