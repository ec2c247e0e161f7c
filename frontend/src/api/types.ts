/**
 * Names for the API's shapes, all taken from the types generated from the server's OpenAPI
 * document (schema.gen.ts, `npm run gen:api`): nothing here is written by hand.
 */
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type ConsoleConfig = Schemas['ConsoleConfig'];
export type ClusterView = Schemas['ClusterView'];
export type ObjectList = Schemas['ObjectList'];
export type GatewayView = Schemas['GatewayView'];
export type ListenerView = Schemas['ListenerView'];
export type GatewayDetail = Schemas['GatewayDetail'];
export type GatewayClassView = Schemas['GatewayClassView'];
export type RouteRef = Schemas['RouteRef'];
export type TopologyGraph = Schemas['TopologyGraph'];
export type TopologyNode = Schemas['TopologyNode'];
export type TopologyEdge = Schemas['TopologyEdge'];
export type CertificateView = Schemas['CertificateView'];
export type InferencePoolView = Schemas['InferencePoolView'];
export type WriteResult = Schemas['WriteResult'];
export type AuditPage = Schemas['AuditPage'];
export type AuditEntry = Schemas['AuditEntry'];
export type AuditEntrySummary = Schemas['AuditEntrySummary'];
export type AuditDiff = Schemas['AuditDiff'];
export type AlertRuleView = Schemas['AlertRuleView'];
export type AlertRuleRequest = Schemas['AlertRuleRequest'];
export type SavedView = Schemas['SavedView'];
export type SavedViewInput = Schemas['SavedViewInput'];
export type ChildrenView = Schemas['ChildrenView'];
export type Health = GatewayView['health'];
export type ViewPage<T> = { readonly items: readonly T[]; readonly continue?: string | null; readonly total?: number };

/** A Kubernetes object as the API returns it (routes, policies, parents, namespaces). */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly creationTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
}

/** A parent's dry-run preview (`WriteResult.preview`): the children the operator would render. */
export interface ParentPreview {
  readonly edition?: string;
  readonly children: readonly KubeObject[];
  readonly withheld?: readonly { kind: string; name: string; reason: string; code?: string }[];
  readonly warnings?: readonly string[];
  readonly error?: string;
  readonly field?: string;
}
export type AuthInfo = Schemas['AuthInfo'];
export type Me = Schemas['Me'];
export type Permissions = Schemas['Permissions'];
