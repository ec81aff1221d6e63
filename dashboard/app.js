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

async function loadModels() {
  const [list, current] = await Promise.all([api('GET', '/api/model/list'), api('GET', '/api/model/current')]);
  state.models = list.models;
  state.current = current.current_model;
  draw.models();
}

async function loadStats() {
  const { statistics } = await api('GET', '/api/model/statistics');
  const names = Object.keys(statistics).filter((n) => statistics[n].count > 0);
  const select = $('stats-model');
  if (!names.includes(state.statsModel)) state.statsModel = names.includes(state.current) ? state.current : (names[0] ?? null);
  select.replaceChildren(...names.map((n) => new Option(`${n} (${statistics[n].count} photos)`, n, false, n === state.statsModel)));
  state.daily = state.statsModel ? await api('GET', `/api/model/statistics/daily?model=${encodeURIComponent(state.statsModel)}&days=30`) : null;
  draw.charts();
}

async function loadCompare() {
  const { runs } = await api('GET', '/api/compare?limit=5');
  const run = runs.find((r) => r.status === 'completed') ?? runs[0];
  state.compare = run ? await api('GET', `/api/compare/${encodeURIComponent(run.id)}`) : null;
  draw.compare();
}

async function loadAll() {
  const [health, downloads] = await Promise.all([api('GET', '/api/health'), api('GET', '/api/model/downloads?limit=20')]);
  state.health = health;
  state.ollama = health.ollama;
  state.jobs = new Map(downloads.jobs.map((j) => [j.id, j]));
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
      for (const j of d.jobs) state.jobs.set(j.id, j);
      draw.downloads();
      attempt(loadAll);
      break;
    case 'download.progress':
    case 'download.completed':
    case 'download.failed':
    case 'download.cancelled':
    case 'download.interrupted':
      state.jobs.set(d.job.id, d.job);
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
  pill.textContent = { live: 'live', reconnecting: 'reconnecting…', restarting: 'daemon restarting…' }[s] ?? s;
}

function askToken() {
  token.clear();
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
  attempt(async () => {
    state.daily = await api('GET', `/api/model/statistics/daily?model=${encodeURIComponent(state.statsModel)}&days=30`);
    draw.charts();
  });
});

draw.health();
draw.models();
start();
