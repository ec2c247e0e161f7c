import { usePolicyConflicts } from '../../api/diagnosticsQueries';
import { Card, Empty, ErrorBox, Loading, Table, Tag, Td } from '../../components/ui';

/** Spec §3.5.2: policies of one kind on one target that clash, the winner and the losers. */
export function ConflictsPanel() {
  const { data, error, isPending } = usePolicyConflicts();
  return (
    <div className="space-y-4">
      {isPending && <Loading what="Loading policy conflicts" />}
      {error && <ErrorBox error={error} />}
      {data && (
        <>
          <Card title="Rule">
            <p className="text-sm">{data.rule}</p>
          </Card>
          {data.conflicts.length === 0 ? (
            <Empty>No conflicting policies in scope.</Empty>
          ) : (
            <Table caption="Policy conflicts" head={['Kind', 'Target', 'Winner', 'Overridden', 'Fields']}>
              {data.conflicts.map((c, i) => (
                <tr key={i}>
                  <Td>
                    <Tag>{c.kind}</Tag>
                  </Td>
                  <Td>
                    {c.target.kind} {c.target.namespace}/{c.target.name}
                    {c.target.section_name ? `#${c.target.section_name}` : ''}
                  </Td>
                  <Td className="font-medium">
                    {c.winner.namespace}/{c.winner.name}
                  </Td>
                  <Td>{c.losers.map((l) => `${l.namespace}/${l.name}`).join(', ')}</Td>
                  <Td className="font-mono text-xs">{(c.fields ?? []).join(', ') || 'whole spec'}</Td>
                </tr>
              ))}
            </Table>
          )}
        </>
      )}
    </div>
  );
}
