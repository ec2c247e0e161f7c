import { useId } from 'react';
import { RANGES, type Range } from '../../api/inferenceQueries';
import { inputClass } from '../../components/ui';

/** The metrics window of a page (5m … 24h). */
export function RangeSelect({ value, onChange, options = RANGES }: { value: Range; onChange: (range: Range) => void; options?: readonly Range[] }) {
  const id = useId();
  return (
    <span className="flex items-center gap-2">
      <label htmlFor={id} className="text-xs text-fg-muted">
        Window
      </label>
      <select id={id} className={`${inputClass} w-auto`} value={value} onChange={(e) => onChange(e.target.value as Range)}>
        {options.map((r) => (
          <option key={r} value={r}>
            last {r}
          </option>
        ))}
      </select>
    </span>
  );
}
