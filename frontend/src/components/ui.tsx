/** Small building blocks shared by every page (shadcn-style: plain elements + Tailwind). */
import { useState, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { Health } from '../api/types';
import { StatusDot, type Health as DotHealth } from './StatusDot';

type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

const variantClass: Record<ButtonVariant, string> = {
  primary: 'bg-accent text-accent-fg hover:bg-accent/90 border-transparent',
  secondary: 'bg-panel-raised text-fg hover:bg-line border-line',
  // Foreground text, not red: red on its own 15% tint is below 4.5:1 in the dark theme (axe color-contrast).
  danger: 'bg-status-error/15 text-fg hover:bg-status-error/25 border-status-error/60',
  ghost: 'bg-transparent text-fg-muted hover:text-fg hover:bg-panel-raised border-transparent',
};

export function Button({
  variant = 'secondary',
  className = '',
  type = 'button',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant }) {
  return (
    <button
      type={type}
      className={`inline-flex items-center gap-2 rounded-md border px-3 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-accent disabled:cursor-not-allowed disabled:opacity-50 ${variantClass[variant]} ${className}`}
      {...props}
    />
  );
}

export function Card({ title, children, actions, className = '' }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-line bg-panel p-4 ${className}`}>
      {(title !== undefined || actions !== undefined) && (
        <div className="mb-3 flex items-center justify-between gap-2">
          {title !== undefined && <h2 className="text-sm font-semibold tracking-wide text-fg-muted uppercase">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

const healthToDot: Record<Health, DotHealth> = { healthy: 'healthy', degraded: 'warning', error: 'error', unknown: 'unknown' };
const healthLabel: Record<Health, string> = { healthy: 'Healthy', degraded: 'Degraded', error: 'Error', unknown: 'Unknown' };

/** A status with its colour (green/yellow/red/grey) and a word, never colour alone. */
export function HealthBadge({ health, label }: { health: Health; label?: string }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-sm">
      <StatusDot health={healthToDot[health]} />
      {label ?? healthLabel[health]}
    </span>
  );
}

/** Health from a Kubernetes-style condition flag. */
export function healthOf(ok: boolean | null | undefined): Health {
  return ok === true ? 'healthy' : ok === false ? 'error' : 'unknown';
}

export function Tag({ children, tone = 'neutral' }: { children: ReactNode; tone?: 'neutral' | 'enterprise' | 'accent' }) {
  const toneClass = {
    neutral: 'border-line bg-panel-raised text-fg-muted',
    enterprise: 'border-enterprise/60 bg-enterprise/10 text-enterprise',
    accent: 'border-accent/60 bg-accent/10 text-fg',
  }[tone];
  return <span className={`inline-block rounded border px-1.5 py-0.5 text-xs ${toneClass}`}>{children}</span>;
}

export function ErrorBox({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const causes = error instanceof ApiError ? error.causes : [];
  return (
    <div role="alert" className="rounded-lg border border-status-error/50 bg-status-error/10 p-4 text-sm">
      <p className="font-semibold">{title}</p>
      <p className="mt-1 text-fg-muted">{message}</p>
      {causes.length > 0 && (
        <ul className="mt-2 list-disc pl-5">
          {causes.map((c, i) => (
            <li key={i}>
              {c.field && <code className="text-fg">{c.field}</code>} {c.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p role="status" className="py-6 text-sm text-fg-muted">
      {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="rounded-lg border border-dashed border-line bg-panel px-6 py-10 text-center text-sm text-fg-muted">{children}</div>;
}

/** A table with a caption for screen readers and sticky header. */
export function Table({ caption, head, children }: { caption: string; head: readonly string[]; children: ReactNode }) {
  return (
    // Focusable, so a table wider than its card can be scrolled from the keyboard too.
    <div tabIndex={0} role="region" aria-label={caption} className="overflow-x-auto rounded-lg border border-line bg-panel focus-visible:outline-2 focus-visible:outline-accent">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-line text-xs tracking-wide text-fg-muted uppercase">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">{children}</tbody>
      </table>
    </div>
  );
}

export function Td({ children, className = '' }: { children?: ReactNode; className?: string }) {
  return <td className={`px-3 py-2 align-top ${className}`}>{children}</td>;
}

/** "3d", "5h", "12m" since an ISO timestamp. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** Read-only, copyable YAML (or any text). */
export function CodeBlock({ text, label, maxHeight = 'max-h-[28rem]' }: { text: string; label: string; maxHeight?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="relative">
      <Button
        variant="ghost"
        className="absolute top-2 right-2 text-xs"
        aria-label={`Copy ${label}`}
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => setCopied(true));
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
      <pre aria-label={label} tabIndex={0} className={`${maxHeight} overflow-auto rounded-md border border-line bg-surface p-3 font-mono text-xs leading-relaxed`}>
        {text}
      </pre>
    </div>
  );
}

const inputClass =
  'w-full rounded-md border border-line bg-surface px-2.5 py-1.5 text-sm text-fg placeholder:text-fg-muted/70 focus-visible:outline-2 focus-visible:outline-accent aria-[invalid=true]:border-status-error';
export { inputClass };

/** A labelled form control with its error message (linked by aria-describedby). */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | undefined; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-fg-muted">
        {label}
      </label>
      {children}
      {hint !== undefined && !error && <p className="text-xs text-fg-muted">{hint}</p>}
      {error && (
        <p id={`${id}-error`} className="text-xs text-status-error">
          {error}
        </p>
      )}
    </div>
  );
}
