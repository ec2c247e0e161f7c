import { useState } from 'react';
import { useSimulate } from '../../api/diagnosticsQueries';
import { Card, ErrorBox } from '../../components/ui';
import { RequestFormFields } from './RequestFormFields';
import { EMPTY_REQUEST, formToBody } from './requestForm';
import { SimulationView } from './SimulationView';

/** Spec §3.3.3: which route, rule and backend a request would get, and why the others lost. */
export function SimulatorPanel() {
  const [form, setForm] = useState(EMPTY_REQUEST);
  const simulate = useSimulate();
  return (
    <div className="space-y-4">
      <Card title="Request">
        <RequestFormFields
          idPrefix="sim"
          form={form}
          onChange={setForm}
          onSubmit={(f) => simulate.mutate(formToBody(f))}
          submitLabel="Simulate"
          busy={simulate.isPending}
        />
      </Card>
      {simulate.error && <ErrorBox error={simulate.error} title="The simulation was refused" />}
      {simulate.data && <SimulationView result={simulate.data} />}
    </div>
  );
}
