export type Health = 'healthy' | 'warning' | 'error' | 'unknown';

const colour: Record<Health, string> = {
  healthy: 'bg-status-healthy',
  warning: 'bg-status-warning',
  error: 'bg-status-error',
  unknown: 'bg-status-unknown',
};

export function StatusDot({ health }: { health: Health }) {
  return <span aria-hidden="true" className={`inline-block size-2.5 rounded-full ${colour[health]}`} />;
}
