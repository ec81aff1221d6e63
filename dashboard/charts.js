// Per-model charts with uPlot (loaded as /dashboard/uPlot.iife.min.js, which defines window.uPlot).
import { fill, h } from './dom.js';

export const COLORS = { blue: '#2f6fde', orange: '#e07b1a', red: '#c8372d', grey: '#7a7a7a', green: '#2e9b57' };

const bars = () => window.uPlot.paths.bars({ size: [0.6, 40] });

const CHARTS = [
  {
    title: 'Warm time per photo (s)',
    series: [
      { label: 'p50', stroke: COLORS.blue, width: 2, points: { show: true }, value: (d) => d.warm_p50_ms },
      { label: 'p95', stroke: COLORS.orange, width: 2, points: { show: true }, value: (d) => d.warm_p95_ms },
    ],
    scale: 1 / 1000,
  },
  { title: 'Photos per day', series: [{ label: 'photos', stroke: COLORS.blue, fill: COLORS.blue, paths: bars, value: (d) => d.photos }] },
  {
    title: 'Failures: the model’s vs the input’s',
    series: [
      { label: 'model', stroke: COLORS.red, width: 2, points: { show: true }, value: (d) => d.failures },
      { label: 'input', stroke: COLORS.grey, width: 2, points: { show: true }, value: (d) => d.caller_faults },
    ],
  },
  { title: 'Cold loads per day', series: [{ label: 'cold loads', stroke: COLORS.green, fill: COLORS.green, paths: bars, value: (d) => d.cold_starts }] },
];

let plots = [];

export function renderCharts(section, daily, width) {
  plots.forEach((p) => p.destroy());
  plots = [];
  if (!daily) return fill(section, h('p', { class: 'muted', text: 'No photo has been evaluated yet.' }));
  if (daily.days.length === 0) return fill(section, h('p', { class: 'muted', text: `${daily.model} has no photos in the last 30 days.` }));
  const x = daily.days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
  const boxes = CHARTS.map((c) => h('figure', { class: 'chart' }, h('figcaption', { text: c.title })));
  fill(section, boxes);
  CHARTS.forEach((c, i) => {
    const data = [x, ...c.series.map((s) => daily.days.map((d) => {
      const v = s.value(d);
      return v === null ? null : v * (c.scale ?? 1);
    }))];
    const series = [{}, ...c.series.map(({ value, paths, ...s }) => ({ ...s, ...(paths ? { paths: paths() } : {}) }))];
    plots.push(new window.uPlot({
      width, height: 170,
      series,
      scales: { x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
      // One tick a day (or a week), labelled by its UTC date as the figures are counted.
      axes: [{ incrs: [86400, 7 * 86400], values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) }, { size: 44 }],
      legend: { live: false },
    }, data, boxes[i]));
  });
}
