/** Pieces the GRPCRoute and L4 route builders share: parent Gateway/listener picker, weighted backends. */
import type { UseFormRegisterReturn } from 'react-hook-form';
import { useNamesIn } from '../../api/builderQueries';
import { useAllGateways } from '../../api/queries';
import { Button, Field, inputClass } from '../../components/ui';
import { shares } from '../../forms/httpRoute';
import { LISTENER_PROTOCOLS, matchingListeners, type RouteKindWithListeners } from '../../forms/routeParts';

interface ParentProps {
  kind: RouteKindWithListeners;
  idPrefix: string;
  gateway: string;
  gatewayField: UseFormRegisterReturn;
  sectionField: UseFormRegisterReturn;
  gatewayError?: string | undefined;
  sectionError?: string | undefined;
}

/**
 * The parent Gateway (any namespace) and one of its listeners whose protocol carries this
 * route kind; a Gateway without one is marked, since the route would not be accepted there.
 */
export function ParentRefPicker({ kind, idPrefix, gateway, gatewayField, sectionField, gatewayError, sectionError }: ParentProps) {
  const gateways = useAllGateways();
  const items = gateways.data?.items ?? [];
  const chosen = items.find((g) => `${g.namespace}/${g.name}` === gateway);
  const listeners = chosen ? matchingListeners(kind, chosen.listeners) : [];
  const protocols = LISTENER_PROTOCOLS[kind].join(' or ');
  return (
    <>
      <Field id={`${idPrefix}-gw`} label="Gateway" error={gatewayError ?? (gateways.error ? `Could not list Gateways: ${gateways.error.message}` : undefined)}>
        <select id={`${idPrefix}-gw`} className={inputClass} aria-invalid={!!gatewayError} {...gatewayField}>
          <option value="">{gateways.isPending ? 'Loading Gateways…' : items.length === 0 ? 'No Gateways in this cluster' : 'Choose…'}</option>
          {items.map((g) => {
            const usable = matchingListeners(kind, g.listeners).length > 0;
            return (
              <option key={`${g.namespace}/${g.name}`} value={`${g.namespace}/${g.name}`}>
                {g.namespace}/{g.name}
                {usable ? '' : ` (no ${protocols} listener)`}
              </option>
            );
          })}
        </select>
      </Field>
      <Field
        id={`${idPrefix}-section`}
        label={`Listener (${protocols})`}
        error={sectionError}
        hint={chosen && listeners.length === 0 ? `${chosen.name} has no ${protocols} listener: the route would not be accepted. Add one to the Gateway first.` : 'Empty: every matching listener of the Gateway.'}
      >
        <select id={`${idPrefix}-section`} className={inputClass} aria-invalid={!!sectionError} {...sectionField}>
          <option value="">Any {protocols} listener</option>
          {listeners.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name} ({l.protocol}:{l.port ?? '?'})
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}

type BackendKey = 'name' | 'port' | 'weight';

interface BackendsProps {
  idPrefix: string;
  namespace: string;
  fields: readonly { id: string }[];
  weights: readonly number[];
  register: (index: number, key: BackendKey) => UseFormRegisterReturn;
  error: (index: number, key: BackendKey) => string | undefined;
  listError?: string | undefined;
  onAdd: () => void;
  onRemove: (index: number) => void;
}

/** Backend Services (suggested from the route's namespace) with ports and weight sliders. */
export function BackendsEditor({ idPrefix, namespace, fields, weights, register, error, listError, onAdd, onRemove }: BackendsProps) {
  const services = useNamesIn('Service', namespace);
  const pct = shares(weights.map(Number));
  const listId = `${idPrefix}-services`;
  return (
    <div>
      <h3 className="mb-2 text-xs font-semibold text-fg-muted uppercase">Backends</h3>
      {listError && <p className="mb-2 text-xs text-status-error">{listError}</p>}
      <datalist id={listId}>
        {services.names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      {fields.map((f, i) => (
        <div key={f.id} className="mb-2 grid grid-cols-2 items-end gap-2 md:grid-cols-4">
          <Field id={`${idPrefix}${i}n`} label="Service" error={error(i, 'name')} hint={services.names.length ? undefined : `No Services found in ${namespace || 'this namespace'}`}>
            <input id={`${idPrefix}${i}n`} list={listId} className={inputClass} aria-invalid={!!error(i, 'name')} {...register(i, 'name')} />
          </Field>
          <Field id={`${idPrefix}${i}p`} label="Port" error={error(i, 'port')}>
            <input id={`${idPrefix}${i}p`} type="number" className={inputClass} aria-invalid={!!error(i, 'port')} {...register(i, 'port')} />
          </Field>
          <Field id={`${idPrefix}${i}w`} label={`Weight ${weights[i] ?? 0} → ${pct[i] ?? 0}% of traffic`} error={error(i, 'weight')}>
            <input id={`${idPrefix}${i}w`} type="range" min={0} max={100} className="w-full accent-accent" {...register(i, 'weight')} />
          </Field>
          <Button variant="ghost" className="text-xs" onClick={() => onRemove(i)} disabled={fields.length <= 1}>
            Remove backend {i + 1}
          </Button>
        </div>
      ))}
      <Button className="text-xs" onClick={onAdd} disabled={fields.length >= 16}>
        Add backend
      </Button>
    </div>
  );
}
