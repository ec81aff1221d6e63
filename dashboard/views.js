// What each section shows, drawn from the state alone; buttons call the actions they are given.
import { eta, fill, gb, h, speed } from './dom.js';

const FIT = { fits_gpu: 'fits the GPU', fits_with_offload: 'fits with CPU offload', does_not_fit: 'does not fit' };
const ACTIVE = new Set(['queued', 'downloading', 'verifying']);

export function renderHealth(section, health, ollama) {
  if (!health) return fill(section, h('p', { class: 'muted', text: 'Loading…' }));
  const o = ollama ?? health.ollama;
  fill(
    section,
    h('dl', null,
      h('dt', { text: 'Ollama' }),
      h('dd', { 'data-testid': 'ollama', class: o.reachable ? 'ok' : 'bad', text: o.reachable ? `reachable, version ${o.version ?? 'unknown'}` : `not reachable at ${o.url}` }),
      h('dt', { text: 'Database' }),
      h('dd', { class: health.database.ok ? 'ok' : 'bad', text: health.database.ok ? `ok (schema ${health.database.schema_version})` : health.database.notice ?? 'not ok' }),
      h('dt', { text: 'Daemon' }),
      h('dd', { text: `${health.daemon_version} (API ${health.api_version})` }),
    ),
    health.ollama.update_notice ? h('p', { class: 'warn', text: health.ollama.update_notice }) : null,
  );
}

export function renderDownloads(section, jobs, act) {
  const list = [...jobs.values()].sort((a, b) => Number(ACTIVE.has(b.status)) - Number(ACTIVE.has(a.status)) || b.created_at.localeCompare(a.created_at)).slice(0, 8);
  if (list.length === 0) return fill(section, h('p', { class: 'muted', text: 'No downloads yet.' }));
  fill(section, list.map((j) => {
    const active = ACTIVE.has(j.status);
    const resumable = j.status === 'failed' || j.status === 'cancelled' || j.status === 'interrupted';
    return h('div', { class: 'job', 'data-job': j.id, 'data-status': j.status },
      h('div', { class: 'job-head' },
        h('strong', { text: j.model }),
        h('span', { class: `status ${j.status}`, text: j.status }),
        active ? h('button', { onclick: () => act.cancel(j), text: 'Cancel' }) : null,
        resumable ? h('button', { onclick: () => act.resume(j), text: 'Resume' }) : null,
      ),
      h('progress', { max: 100, value: j.percent, 'aria-label': `${j.model} download` }),
      h('div', { class: 'job-figures' },
        `${j.percent.toFixed(1)} % of ${gb(j.total_bytes)}`,
        active ? ` · ${speed(j.bytes_per_second)} · ${eta(j.eta_seconds)} left` : '',
        j.resumed && j.resumed_bytes > 0 ? ` · resumed, ${gb(j.resumed_bytes)} were already here` : '',
      ),
      j.error ? h('p', { class: 'bad', text: j.error }) : j.message ? h('p', { class: 'muted', text: j.message }) : null,
    );
  }));
}

export function renderModels(section, models, current, act) {
  if (!models) return fill(section, h('p', { class: 'muted', text: 'Loading…' }));
  const sorted = [...models].sort((a, b) => Number(b.installed) - Number(a.installed) || a.name.localeCompare(b.name));
  fill(section, h('table', null,
    h('thead', null, h('tr', null, ['Model', 'Installed', 'Vision', 'Fits here', 'Size', ''].map((t) => h('th', { text: t })))),
    h('tbody', null, sorted.map((m) => {
      const isCurrent = m.name === current;
      return h('tr', { 'data-model': m.name, class: isCurrent ? 'current' : null },
        h('td', null, h('strong', { text: m.name }), isCurrent ? h('span', { class: 'pill current', text: 'current' }) : null, h('div', { class: 'muted', text: m.display_name })),
        h('td', { text: m.installed ? 'yes' : 'no' }),
        h('td', { text: m.vision ? 'yes' : 'no' }),
        h('td', { class: m.fit === 'does_not_fit' ? 'bad' : null, text: m.fit ? FIT[m.fit] : '—' }),
        h('td', { text: m.size_bytes ? gb(m.size_bytes) : m.size_gb ? `${m.size_gb} GB` : '—' }),
        h('td', { class: 'actions' },
          m.installed && !isCurrent ? h('button', { onclick: () => act.switchTo(m.name), text: 'Use' }) : null,
          !m.installed ? h('button', { onclick: () => act.download(m.name), text: 'Download' }) : null,
          m.installed && !isCurrent ? h('button', { class: 'danger', onclick: () => act.remove(m.name), text: 'Delete' }) : null,
        ),
      );
    })),
  ));
}

const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)} %`);
const num = (v, digits = 2) => (v === null || v === undefined ? '—' : v.toFixed(digits));

export function renderCompare(section, compare) {
  if (!compare) return fill(section, h('p', { class: 'muted', text: 'No comparison yet: run one from Lightroom or with POST /api/compare.' }));
  const { run, results, summary, sample_note: note } = compare;
  const head = h('p', null, h('strong', { text: `${run.status}` }), ` · ${run.progress.done} of ${run.progress.total} photo evaluations · ${run.photo_count} photos · started ${new Date(run.created_at).toLocaleString()}`);
  if (!results) return fill(section, head);
  fill(section, head, h('p', { text: summary }), note ? h('p', { class: 'warn', text: note }) : null,
    h('table', null,
      h('thead', null, h('tr', null, ['Rank', 'Model', 'Stars agree (Spearman)', 'Pick/reject (kappa)', 'Keywords found', 'Warm p50', 'Photos/min', 'Failures model / input'].map((t) => h('th', { text: t })))),
      h('tbody', null, results.map((r) => h('tr', { 'data-model': r.model },
        h('td', { text: r.rank ?? '—' }),
        h('td', { text: r.model }),
        h('td', { text: num(r.rating.spearman) }),
        h('td', { text: num(r.flags.kappa) }),
        h('td', { text: pct(r.keywords.recall) }),
        h('td', { text: r.speed.warm_p50_seconds === null ? '—' : `${r.speed.warm_p50_seconds.toFixed(1)} s` }),
        h('td', { text: num(r.speed.photos_per_minute, 1) }),
        h('td', { text: `${r.failures.model} / ${r.failures.input}` }),
      ))),
    ),
  );
}
