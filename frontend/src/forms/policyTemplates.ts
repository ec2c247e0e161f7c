/** The policy gallery's templates (spec §3.5.2): common scenarios as pre-filled builder forms. */
import { emptyPolicyForm, type PolicyForm, type PolicyType } from './policies';

export interface PolicyTemplate {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly type: PolicyType | 'waf';
  /** The form with the template's values (undefined: no builder for this kind yet). */
  readonly form?: (namespace: string) => PolicyForm;
}

function withTarget(form: PolicyForm, kind: string): PolicyForm {
  return { ...form, targets: [{ kind, name: '', sectionName: '' }] };
}

export const POLICY_TEMPLATES: readonly PolicyTemplate[] = [
  {
    id: 'rate-limit-api',
    title: 'Rate limit API to 100 req/min',
    summary: 'RateLimitPolicy on a route: 100 requests per minute per client address, bursts of 20 served at once, 429 beyond.',
    type: 'ratelimit',
    form: (ns) => {
      const f = withTarget(emptyPolicyForm('ratelimit', ns), 'HTTPRoute');
      return { ...f, name: 'api-rate-limit', rateLimit: { ...f.rateLimit, rate: '100r/m', key: '$binary_remote_addr', burst: '20', noDelay: true, rejectCode: '429', zoneSize: '10m' } };
    },
  },
  {
    id: 'backend-tls',
    title: 'Enable mTLS to backend',
    summary: 'BackendTLSPolicy on a Service: NGINX speaks TLS to it and verifies its certificate against your CA. The client certificate NGINX presents is the Gateway’s (spec.tls.backend).',
    type: 'backendtls',
    form: (ns) => {
      const f = emptyPolicyForm('backendtls', ns);
      return { ...f, name: 'backend-tls', backendTls: { ...f.backendTls, ca: 'ConfigMap', caRefs: 'backend-ca' } };
    },
  },
  {
    id: 'client-body-timeouts',
    title: 'Client body size and timeouts',
    summary: 'ClientSettingsPolicy: request bodies up to 10 MB read within 30 s, keep-alive connections for 1000 requests or 1 h.',
    type: 'clientsettings',
    form: (ns) => {
      const f = withTarget(emptyPolicyForm('clientsettings', ns), 'HTTPRoute');
      return { ...f, name: 'client-settings', clientSettings: { maxSize: '10m', bodyTimeout: '30s', keepAliveRequests: '1000', keepAliveTime: '1h', keepAliveServer: '60s', keepAliveHeader: '50s' } };
    },
  },
  {
    id: 'upstream-keepalive',
    title: 'Upstream keepalive',
    summary: 'UpstreamSettingsPolicy on a Service: keep 32 idle connections to its endpoints per worker, reused for 1000 requests or 1 h.',
    type: 'upstreamsettings',
    form: (ns) => {
      const f = emptyPolicyForm('upstreamsettings', ns);
      return { ...f, name: 'upstream-keepalive', upstream: { zoneSize: '', connections: '32', requests: '1000', time: '1h', timeout: '60s' } };
    },
  },
  {
    id: 'tracing',
    title: 'Tracing',
    summary: 'ObservabilityPolicy on a route: trace 10% of requests with OpenTelemetry and propagate the W3C trace context.',
    type: 'observability',
    form: (ns) => {
      const f = withTarget(emptyPolicyForm('observability', ns), 'HTTPRoute');
      return { ...f, name: 'tracing', observability: { strategy: 'ratio', ratio: '10', context: 'propagate', spanName: '', spanAttributes: '' } };
    },
  },
  {
    id: 'stream-responses',
    title: 'Stream responses (no proxy buffering)',
    summary: 'ProxySettingsPolicy on a route: responses go to the client as the backend sends them (server-sent events, LLM token streams).',
    type: 'proxysettings',
    form: (ns) => {
      const f = withTarget(emptyPolicyForm('proxysettings', ns), 'HTTPRoute');
      return { ...f, name: 'stream-responses', proxy: { ...f.proxy, disableBuffering: true } };
    },
  },
  {
    id: 'basic-auth',
    title: 'Basic auth for a route',
    summary: 'AuthenticationFilter (HTTP Basic) with credentials from an htpasswd Secret; reference it from a route rule’s ExtensionRef filter.',
    type: 'authentication',
    form: (ns) => ({ ...emptyPolicyForm('authentication', ns), name: 'basic-auth', basicAuth: { secret: 'basic-auth', realm: 'Restricted' } }),
  },
  {
    id: 'cors-headers',
    title: 'Add CORS headers',
    summary: 'SnippetsFilter for a route’s location: the Access-Control-* response headers for one allowed origin.',
    type: 'snippetsfilter',
    form: (ns) => ({
      ...emptyPolicyForm('snippetsfilter', ns),
      name: 'cors',
      snippets: [
        {
          context: 'http.server.location',
          value: 'add_header Access-Control-Allow-Origin "https://app.example.com" always;\nadd_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;\nadd_header Access-Control-Allow-Headers "Authorization, Content-Type" always;',
        },
      ],
    }),
  },
  {
    id: 'block-sqli',
    title: 'Block SQL injection',
    summary: 'NGINX App Protect WAF policy with the SQL-injection signature sets in blocking mode.',
    type: 'waf',
  },
];

export function templateById(id: string | null): PolicyTemplate | undefined {
  return POLICY_TEMPLATES.find((t) => t.id === id);
}
