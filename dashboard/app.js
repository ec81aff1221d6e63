// The dashboard: state from the REST API once, then kept current by /ws events alone (no polling).
import { api, ApiError, token } from './api.js';
import { renderCharts } from './charts.js';
import { connectLive } from './live.js';
import { renderCompare, renderDownloads, renderHealth, renderModels } from './views.js';

const $ = (id) => document.getElementById(id);
const state = { health: null, ollama: null, models: null, current: null, jobs: new Map(), statsModel: null, daily: null, compare: null };
let live = false;

function showError(err) {
  const box = $('error');
  if (!err) {
    box.hidden = true;
    return;
  }
  box.textContent = err.message;
  box.dataset.code = err.code ?? '';
  box.hidden = false;
}

/** Runs an action; a refusal is shown in the API's own sentence. */
async function attempt(fn) {
  try {
    showError(null);
    await fn();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHORIZED') return askToken();
    showError(err);
  }
}

const actions = {
  switchTo: (model) => attempt(() => api('POST', '/api/model/switch', { model })),
  download: (model) => attempt(async () => {
    const { job } = await api('POST', '/api/model/download', { model });
    state.jobs.set(job.id, job);
    draw.downloads();
  }),
  remove: (model) => {
    if (!confirm(`Delete ${model} from Ollama? It can be downloaded again later.`)) return;
    attempt(() => api('DELETE', '/api/model/delete', { model }));
  },
  cancel: (job) => attempt(() => api('DELETE', `/api/model/downloads/${encodeURIComponent(job.id)}`, {})),
  resume: (job) => attempt(async () => {
    const r = await api('POST', `/api/model/downloads/${encodeURIComponent(job.id)}/resume`, {});
    state.jobs.set(r.job.id, r.job);
    draw.downloads();
  }),
};

const draw = {
  health: () => renderHealth($('health'), state.health, state.ollama),
  downloads: () => renderDownloads($('downloads'), state.jobs, actions),
  models: () => renderModels($('models'), state.models, state.current, actions),
  charts: () => renderCharts($('stats'), state.daily, Math.max(260, Math.floor(($('stats').clientWidth - 60) / 2))),
  compare: () => renderCompare($('compare'), state.compare),
};

/**
 * A loader whose answer is applied only if no later call of it started meanwhile: two reads in
 * flight may come back in either order, and the older must not overwrite the newer.
 */
function newestOnly(load) {
  let calls = 0;
  return async () => {
    const call = ++calls;
    const apply = await load();
    if (call === calls) apply();
  };
}

// The current model comes from /ws alone (the snapshot, then model.switched): a list read before a
// switch but answered after its event would otherwise put the old one back.
const loadModels = newestOnly(async () => {
  const list = await api('GET', '/api/model/list');
  return () => {
    state.models = list.models;
    draw.models();
  };
});

const loadStats = newestOnly(async () => {
  const { statistics } = await api('GET', '/api/model/statistics');
  const names = Object.keys(statistics).filter((n) => statistics[n].count > 0);
  const chosen = names.includes(state.statsModel) ? state.statsModel : names.includes(state.current) ? state.current : (names[0] ?? null);
  const daily = chosen ? await api('GET', `/api/model/statistics/daily?model=${encodeURIComponent(chosen)}&days=30`) : null;
  return () => {
    state.statsModel = chosen;
    state.daily = daily;
    $('stats-model').replaceChildren(...names.map((n) => new Option(`${n} (${statistics[n].count} photos)`, n, false, n === chosen)));
    $('stats-model').hidden = names.length === 0;
    draw.charts();
  };
});

const loadCompare = newestOnly(async () => {
  const { runs } = await api('GET', '/api/compare?limit=5');
  const run = runs.find((r) => r.status === 'completed') ?? runs[0];
  const compare = run ? await api('GET', `/api/compare/${encodeURIComponent(run.id)}`) : null;
  return () => {
    state.compare = compare;
    draw.compare();
  };
});

/** A job's state as read or heard, unless what the page has of it is newer (a read answered after an event). */
function keepJob(job) {
  const known = state.jobs.get(job.id);
  if (!known || known.updated_at <= job.updated_at) state.jobs.set(job.id, job);
}

async function loadAll() {
  const [health, downloads] = await Promise.all([api('GET', '/api/health'), api('GET', '/api/model/downloads?limit=20')]);
  state.health = health;
  downloads.jobs.forEach(keepJob);
  draw.health();
  draw.downloads();
  await Promise.all([loadModels(), loadStats(), loadCompare()]);
}

function onEvent(e) {
  const d = e.data;
  switch (e.type) {
    case 'snapshot':
      // A first connection, a restarted daemon, or events too many to replay: read everything afresh.
      state.current = d.current_model;
      state.ollama = d.ollama;
      d.jobs.forEach(keepJob);
      draw.downloads();
      attempt(loadAll);
      break;
    case 'download.progress':
    case 'download.completed':
    case 'download.failed':
    case 'download.cancelled':
    case 'download.interrupted':
      keepJob(d.job);
      draw.downloads();
      break;
    case 'model.switched':
      state.current = d.model;
      draw.models();
      attempt(loadStats);
      break;
    case 'model.installed':
    case 'model.deleted':
      attempt(loadModels);
      break;
    case 'usage.recorded':
      if (d.models.includes(state.statsModel) || !state.statsModel) attempt(loadStats);
      break;
    case 'ollama.status':
      state.ollama = d;
      draw.health();
      break;
    default:
      if (e.type.startsWith('compare.')) attempt(loadCompare);
  }
}

function setLive(s) {
  const pill = $('live');
  pill.dataset.state = s;
  pill.textContent = { live: 'live', reconnecting: 'reconnecting…', restarting: 'daemon restarting…', locked: 'waiting for the token' }[s] ?? s;
}

function askToken() {
  token.clear();
  setLive('locked');
  $('main').hidden = true;
  $('token-form').hidden = false;
  $('token').focus();
}

/** Proves the token (or that none is needed) before going live; the first snapshot then loads the rest. */
async function start() {
  try {
    state.health = await api('GET', '/api/health');
    draw.health();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'UNAUTHORIZED') return askToken();
    showError(err);
  }
  if (!live) {
    live = true;
    connectLive({ onEvent, onState: setLive });
  }
}

$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token.set($('token').value.trim());
  $('token').value = '';
  $('token-form').hidden = true;
  $('main').hidden = false;
  start();
});

$('pull-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const name = $('pull-name').value.trim();
  if (name) actions.download(name);
});

$('stats-model').addEventListener('change', (ev) => {
  state.statsModel = ev.target.value;
  attempt(loadStats);
});

draw.health();
draw.models();
start();
