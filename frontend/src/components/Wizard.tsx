import type { ReactNode } from 'react';
import { Button } from './ui';

/** The step list of a wizard: where you are, what is done, what is left. */
export function Stepper({ steps, current }: { steps: readonly string[]; current: number }) {
  return (
    <ol aria-label="Wizard steps" className="mb-6 flex flex-wrap gap-2">
      {steps.map((label, i) => {
        const state = i < current ? 'done' : i === current ? 'current' : 'todo';
        const tone = {
          done: 'border-status-healthy/60 text-fg',
          current: 'border-accent bg-accent/10 text-fg font-medium',
          todo: 'border-line text-fg-muted',
        }[state];
        return (
          <li key={label} aria-current={state === 'current' ? 'step' : undefined} className={`rounded-md border px-3 py-1.5 text-sm ${tone}`}>
            <span className="mr-1.5 text-xs">{i + 1}.</span>
            {label}
            {state === 'done' && <span className="sr-only"> (done)</span>}
          </li>
        );
      })}
    </ol>
  );
}

/** Back / Next row at the bottom of a step's form. Next submits the form (validation first). */
export function StepActions({ onBack, next = 'Next', extra }: { onBack?: (() => void) | undefined; next?: string; extra?: ReactNode }) {
  return (
    <div className="mt-6 flex items-center gap-2 border-t border-line pt-4">
      {onBack && <Button onClick={onBack}>Back</Button>}
      {extra}
      <Button type="submit" variant="primary" className="ml-auto">
        {next}
      </Button>
    </div>
  );
}
