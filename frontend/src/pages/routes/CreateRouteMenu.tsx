import { Link } from 'react-router';
import { usePermissions } from '../../auth/authQueries';
import { writeRefusal } from '../../auth/permission';
import { useUiStore } from '../../state/ui';

/** Builders of every route kind (spec §6.2 `/routes/create/:type`). */
export const ROUTE_BUILDERS = [
  { kind: 'HTTPRoute', to: '/routes/create/httproute' },
  { kind: 'GRPCRoute', to: '/routes/create/grpcroute' },
  { kind: 'TLSRoute', to: '/routes/create/tlsroute' },
  { kind: 'TCPRoute', to: '/routes/create/tcproute' },
  { kind: 'UDPRoute', to: '/routes/create/udproute' },
] as const;

/** "Create route" disclosure listing the five builders (a native <details>: keyboard and screen-reader friendly). */
export function CreateRouteMenu() {
  const namespace = useUiStore((s) => s.namespace);
  const { data: permissions } = usePermissions(namespace);
  return (
    <details className="relative">
      <summary className="inline-flex cursor-pointer list-none items-center gap-2 rounded-md border border-transparent bg-accent px-3 py-1.5 text-sm font-medium text-accent-fg hover:bg-accent/90 focus-visible:outline-2 focus-visible:outline-accent">
        Create route ▾
      </summary>
      <ul className="absolute right-0 z-20 mt-1 w-44 rounded-md border border-line bg-panel p-1 shadow-lg">
        {ROUTE_BUILDERS.map((b) => {
          const refusal = writeRefusal(permissions, b.kind, namespace);
          return (
            <li key={b.kind}>
              {refusal === null ? (
                <Link to={b.to} className="block rounded px-3 py-1.5 text-sm hover:bg-panel-raised focus-visible:outline-2 focus-visible:outline-accent">
                  {b.kind}
                </Link>
              ) : (
                <span role="link" aria-disabled="true" title={refusal} className="block cursor-not-allowed rounded px-3 py-1.5 text-sm text-fg-muted opacity-60">
                  {b.kind}
                  <span className="sr-only"> — {refusal}</span>
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </details>
  );
}
