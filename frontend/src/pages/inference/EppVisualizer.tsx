/**
 * Live EPP decision visualizer (spec §3.10.3): a card per pod (queue bar, KV-cache ring,
 * prefix badge, GPU), the pod each decision chose highlighted with the reason, a scrolling
 * list of decisions; a click on one shows every candidate's score.
 */
import { useMemo, useState } from 'react';
import { usePoolPods } from '../../api/inferenceQueries';
import { Button, Card, Tag } from '../../components/ui';
import { clock, formatMiB, formatNumber } from './chartData';
import { PanelState } from './charts';
import { applyGpuFrame, podCards, podMetricsFromState, QUEUE_CRITICAL, rankedCandidates, shortPod, type EppDecision, type PodCard, type PodMetrics, type Tone } from './eppModel';
import { socketLabel, useGpuFeed, useLiveDecisions, type GpuFrame } from './liveFeeds';

const toneBar: Record<Tone, string> = { ok: 'bg-status-healthy', warning: 'bg-status-warning', critical: 'bg-status-error', unknown: 'bg-status-unknown' };
const toneStroke: Record<Tone, string> = { ok: 'stroke-status-healthy', warning: 'stroke-status-warning', critical: 'stroke-status-error', unknown: 'stroke-status-unknown' };
const toneWord: Record<Tone, string> = { ok: '', warning: ' (high)', critical: ' (critical)', unknown: '' };

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

/** A percentage ring (KV-cache utilisation); the number is in the middle, not colour alone. */
function Ring({ pct, tone, label }: { pct: number | null; tone: Tone; label: string }) {
  const r = 22;
  const circumference = 2 * Math.PI * r;
  const filled = pct === null ? 0 : Math.max(0, Math.min(100, pct)) / 100;
  return (
    <svg viewBox="0 0 56 56" className="size-16 shrink-0" role="img" aria-label={`${label}: ${pct === null ? 'no data' : `${Math.round(pct)} %`}`}>
      <circle cx="28" cy="28" r={r} fill="none" strokeWidth="6" className="stroke-line" />
      <circle
        cx="28"
        cy="28"
        r={r}
        fill="none"
        strokeWidth="6"
        strokeLinecap="round"
        className={toneStroke[tone]}
        strokeDasharray={`${filled * circumference} ${circumference}`}
        transform="rotate(-90 28 28)"
      />
      <text x="28" y="31" textAnchor="middle" className="fill-fg text-[11px] font-semibold">
        {pct === null ? '—' : `${Math.round(pct)}%`}
      </text>
    </svg>
  );
}

function PodCardView({ card, queueScale, lastId }: { card: PodCard; queueScale: number; lastId: string | undefined }) {
  const width = card.queueDepth === null ? 0 : Math.min(100, (card.queueDepth / queueScale) * 100);
  return (
    <article
      aria-label={`Pod ${card.pod}`}
      data-pod={card.pod}
      data-chosen={card.chosen ? 'true' : 'false'}
      className={`relative rounded-lg border p-3 transition-colors ${card.chosen ? 'border-accent bg-accent/10 ring-2 ring-accent' : 'border-line bg-panel-raised'}`}
    >
      {card.chosen && (
        <span key={lastId} className="absolute -top-2 right-2 flex items-center gap-1 rounded bg-accent px-1.5 py-0.5 text-xs font-semibold text-accent-fg">
          <span aria-hidden="true" className="size-1.5 animate-ping rounded-full bg-accent-fg" />
          Chosen
        </span>
      )}
      <h3 className="truncate font-mono text-xs font-semibold" title={card.pod}>
        {card.pod}
      </h3>
      <p className="truncate text-xs text-fg-muted">
        {card.gpuType || 'GPU ?'} · {card.node || 'node ?'}
      </p>
      <div className="mt-2 flex items-center gap-3">
        <Ring pct={card.kvCachePct} tone={card.kvTone} label="KV-cache utilisation" />
        <div className="min-w-0 flex-1 space-y-1.5 text-xs">
          <div>
            <div className="flex justify-between">
              <span className="text-fg-muted">Queue</span>
              <span className="font-semibold">
                {formatNumber(card.queueDepth, 0)}
                {toneWord[card.queueTone]}
              </span>
            </div>
            <div className="mt-0.5 h-2 rounded bg-line" role="meter" aria-label={`Queue depth of ${card.pod}`} aria-valuemin={0} aria-valuemax={queueScale} aria-valuenow={card.queueDepth ?? 0}>
              <div className={`h-2 rounded ${toneBar[card.queueTone]}`} style={{ width: `${width}%` }} />
            </div>
          </div>
          <div className="flex flex-wrap gap-1">
            {card.prefixHit === true && <Tag tone="accent">prefix hit</Tag>}
            {card.prefixHit === false && <Tag>prefix miss</Tag>}
            {card.score !== null && <Tag>score {card.score.toFixed(3)}</Tag>}
          </div>
        </div>
      </div>
      <dl className="mt-2 grid grid-cols-2 gap-x-2 text-xs">
        <dt className="text-fg-muted">GPU util</dt>
        <dd className="text-right">{card.gpuUtilPct === null ? '—' : `${Math.round(card.gpuUtilPct)} %`}</dd>
        <dt className="text-fg-muted">GPU memory</dt>
        <dd className="text-right">{formatMiB(card.gpuMemUsedMiB)}</dd>
        <dt className="text-fg-muted">In flight</dt>
        <dd className="text-right">{formatNumber(card.inFlight, 0)}</dd>
        <dt className="text-fg-muted">Prefix hit rate</dt>
        <dd className="text-right">{card.prefixHitRate === null ? '—' : `${Math.round(card.prefixHitRate * 100)} %`}</dd>
        <dt className="text-fg-muted">Picked (recent)</dt>
        <dd className="text-right">{card.picks}</dd>
      </dl>
    </article>
  );
}

function CandidateTable({ decision }: { decision: EppDecision }) {
  const ranked = rankedCandidates(decision);
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs" aria-label={`Candidates of decision ${decision.id}`}>
        <thead className="text-fg-muted uppercase">
          <tr>
            <th scope="col" className="px-2 py-1 font-medium">Pod</th>
            <th scope="col" className="px-2 py-1 text-right font-medium">Score</th>
            <th scope="col" className="px-2 py-1 text-right font-medium">Queue</th>
            <th scope="col" className="px-2 py-1 text-right font-medium">KV-cache</th>
            <th scope="col" className="px-2 py-1 font-medium">Prefix</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {ranked.map((c) => (
            <tr key={c.pod} className={c.pod === decision.selectedPod ? 'bg-accent/10' : ''}>
              <td className="px-2 py-1 font-mono">
                {c.pod} {c.pod === decision.selectedPod && <Tag tone="accent">chosen</Tag>}
              </td>
              <td className="px-2 py-1 text-right">{c.score === null ? '—' : c.score.toFixed(4)}</td>
              <td className="px-2 py-1 text-right">{formatNumber(c.queueDepth, 0)}</td>
              <td className="px-2 py-1 text-right">{c.kvCachePct === null ? '—' : `${c.kvCachePct.toFixed(1)} %`}</td>
              <td className="px-2 py-1">{c.prefixHit === null ? '—' : c.prefixHit ? 'hit' : 'miss'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ranked.length === 0 && <p className="text-xs text-fg-muted">This decision carries no candidate list.</p>}
    </div>
  );
}

/** The visualizer of one pool. `compact`: fewer decisions listed (the pool page's panel). */
export function EppVisualizer({ namespace, pool, compact = false }: { namespace: string; pool: string; compact?: boolean }) {
  const live = useLiveDecisions(namespace, pool);
  const podStates = usePoolPods(namespace, pool);
  const [pinned, setPinned] = useState<string | null>(null);
  // The newest gpu-metrics frame of this pool updates the REST pod states it is newer than.
  const [frame, setFrame] = useState<GpuFrame | null>(null);
  const gpuSocket = useGpuFeed(namespace, pool, (f) => {
    if (f.namespace === namespace && f.pool === pool) setFrame(f);
  });
  const pods: PodMetrics[] = useMemo(() => {
    const base = (podStates.data ?? []).map(podMetricsFromState);
    return frame && frame.time * 1000 > podStates.dataUpdatedAt ? applyGpuFrame(base, frame.pods) : base;
  }, [podStates.data, podStates.dataUpdatedAt, frame]);

  const newest = live.decisions[0] ?? null;
  const focus = (pinned !== null ? live.decisions.find((d) => d.id === pinned) : undefined) ?? newest;
  const following = pinned === null || focus === newest;
  const recent = live.decisions.slice(0, 50);
  const cards = useMemo(() => podCards(pods, focus, recent), [pods, focus, recent]);
  const queueScale = Math.max(QUEUE_CRITICAL, ...cards.map((c) => c.queueDepth ?? 0));
  const listed = compact ? live.decisions.slice(0, 25) : live.decisions;
  const state = PanelState({ error: live.error, pending: live.pending && live.decisions.length === 0, empty: live.decisions.length === 0, what: 'EPP decisions' });

  return (
    <div className="space-y-4">
      <p className="text-xs text-fg-muted" role="status">
        Decisions: {live.source === 'websocket' ? 'websocket (live)' : `analytics store, every 2 s (websocket ${live.socket === 'open' ? 'connected' : socketLabel(live.socket)}, no decision published on it yet)`} · GPU metrics: websocket{' '}
        {socketLabel(gpuSocket)} · {live.decisions.length} decisions held
        {newest && ` · newest ${ago(live.now - newest.time)} ago`}
      </p>
      <Card
        title="Pods"
        actions={
          following ? (
            <span className="text-xs text-fg-muted">Following the newest decision</span>
          ) : (
            <Button variant="ghost" className="text-xs" onClick={() => setPinned(null)}>
              Follow live
            </Button>
          )
        }
      >
        {focus && (
          <p className="mb-3 rounded-md border border-line bg-surface px-3 py-2 text-sm" aria-live="polite" data-testid="epp-reason">
            <span className="text-fg-muted">{clock(focus.time / 1000, true)} · {focus.strategy || 'decision'} · </span>
            {focus.reason || `Selected ${focus.selectedPod}`}
          </p>
        )}
        {cards.length === 0 ? (
          <PanelState error={podStates.error} pending={podStates.isPending} empty what="pods" />
        ) : (
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3" aria-label="Pool pods">
            {cards.map((card) => (
              <PodCardView key={card.pod} card={card} queueScale={queueScale} lastId={focus?.id} />
            ))}
          </div>
        )}
      </Card>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card title="Decisions">
          {state ?? (
            <ol aria-label="EPP decisions" className={`${compact ? 'max-h-72' : 'max-h-[32rem]'} divide-y divide-line overflow-y-auto rounded-md border border-line`}>
              {listed.map((d) => (
                <li key={d.id} data-decision-id={d.id}>
                  <button
                    type="button"
                    aria-pressed={focus?.id === d.id}
                    onClick={() => setPinned(d.id)}
                    className={`flex w-full items-center gap-2 px-3 py-1.5 text-left text-xs whitespace-nowrap hover:bg-panel-raised focus-visible:outline-2 focus-visible:outline-accent ${focus?.id === d.id ? 'bg-accent/10' : ''}`}
                  >
                    <span className="font-mono text-fg-muted">{clock(d.time / 1000, true)}</span>
                    <span className="min-w-0 truncate font-mono font-semibold" title={d.selectedPod}>
                      {shortPod(d.selectedPod)}
                    </span>
                    <Tag>{d.strategy || '—'}</Tag>
                    <span className="ml-auto text-fg-muted">
                      {d.candidates.length} candidate{d.candidates.length === 1 ? '' : 's'}
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card title="Why this pod">
          {focus ? (
            <div className="space-y-2 text-sm">
              <p data-testid="epp-focus-reason">{focus.reason || `Selected ${focus.selectedPod} (the producer sent no reason)`}</p>
              <p className="text-xs text-fg-muted">
                {focus.model} · request <span className="font-mono">{focus.id}</span>
                {focus.latencyUs !== null && ` · decided in ${Math.round(focus.latencyUs)} µs`}
              </p>
              <CandidateTable decision={focus} />
            </div>
          ) : (
            <p className="text-sm text-fg-muted">Select a decision to see every candidate's score.</p>
          )}
        </Card>
      </div>
    </div>
  );
}
