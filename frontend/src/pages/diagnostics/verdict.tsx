import { StatusDot, type Health } from '../../components/StatusDot';

export type Verdict = 'pass' | 'warn' | 'fail' | 'skip';

const dot: Record<Verdict, Health> = { pass: 'healthy', warn: 'warning', fail: 'error', skip: 'unknown' };
const word: Record<Verdict, string> = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped' };

/** pass / warn / fail / skip: a colour and a word, never colour alone. */
export function VerdictBadge({ status }: { status: Verdict }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-sm font-medium">
      <StatusDot health={dot[status]} />
      {word[status]}
    </span>
  );
}

/** ✓ / ✗ for one match condition, with a word for screen readers. */
export function PassMark({ passed }: { passed: boolean }) {
  return (
    <span className={passed ? 'text-status-healthy' : 'text-status-error'}>
      <span aria-hidden="true">{passed ? '✓' : '✗'}</span>
      <span className="sr-only">{passed ? 'passed' : 'failed'}</span>
    </span>
  );
}
