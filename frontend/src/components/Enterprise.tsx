import type { ReactNode } from 'react';
import { useEdition } from '../api/queries';

export const ENTERPRISE_TOOLTIP = 'Requires NGINX Gateway Fabric Enterprise. Contact F5 for a trial.';
export const TRIAL_URL = 'https://www.f5.com/trials';

export function EnterpriseBadge() {
  return (
    <span className="inline-flex items-center rounded border border-enterprise/60 bg-enterprise/10 px-1.5 py-0.5 text-[10px] font-semibold tracking-wide text-enterprise uppercase">
      Enterprise
    </span>
  );
}

/**
 * An enterprise-only feature (spec §3.1). On Enterprise it renders `children`. On OSS (and
 * while the edition is unknown) it renders the feature greyed and inert, with the tooltip
 * and the trial link, and never mounts `children`: no enterprise API call can be made.
 */
export function EnterpriseGate({ feature, children }: { feature: string; children: ReactNode }) {
  const edition = useEdition();
  if (edition === 'enterprise') return <>{children}</>;
  return (
    <div
      data-testid="enterprise-gated"
      aria-disabled="true"
      title={ENTERPRISE_TOOLTIP}
      className="rounded-lg border border-dashed border-enterprise/40 bg-panel p-4 text-fg-muted opacity-70 grayscale-[40%]"
    >
      <div className="flex items-center gap-2">
        <EnterpriseBadge />
        <span className="font-medium">{feature}</span>
      </div>
      <p className="mt-2 text-sm">{ENTERPRISE_TOOLTIP}</p>
      <a href={TRIAL_URL} target="_blank" rel="noreferrer" className="mt-2 inline-block text-sm text-enterprise underline underline-offset-4">
        Start an F5 trial
      </a>
    </div>
  );
}
