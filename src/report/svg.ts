/**
 * Inline SVG plots for self-contained HTML reports (browser-safe, no external assets): line plots
 * of training curves, bar charts and ECG traces with highlighted regions. Hand-written because the
 * plotting libraries on npm need a DOM or bundle hundreds of kB; these three charts need ~150 lines.
 */
import { escapeHtml } from './escape.js';
import { WAVE_BAND_COLORS, rgbHex } from './colormap.js';

/** One line of a line plot. */
export interface Series {
  name: string;
  values: ArrayLike<number>;
  /** x of each value (default 1, 2, ...). */
  x?: ArrayLike<number>;
  color?: string;
}

/** Common plot options. */
export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const M = { left: 52, right: 12, top: 28, bottom: 40 };

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

function frame(o: PlotOptions, w: number, h: number, xr: [number, number], yr: [number, number], xTicks = true): string {
  const parts: string[] = [];
  const sx = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * (w - M.left - M.right);
  const sy = (v: number) => h - M.bottom - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * (h - M.top - M.bottom);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${w - M.left - M.right}" height="${h - M.top - M.bottom}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(yr[0], yr[1])) {
    parts.push(`<line x1="${M.left - 4}" x2="${w - M.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" font-size="10">${fmt(t)}</text>`);
  }
  for (const t of xTicks ? niceTicks(xr[0], xr[1], 6) : []) {
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${h - M.bottom + 14}" text-anchor="middle" font-size="10">${fmt(t)}</text>`);
  }
  if (o.title) parts.push(`<text x="${w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(o.title)}</text>`);
  if (o.xLabel) parts.push(`<text x="${(M.left + w - M.right) / 2}" y="${h - 6}" text-anchor="middle" font-size="11">${escapeHtml(o.xLabel)}</text>`);
  if (o.yLabel) {
    parts.push(`<text x="12" y="${(M.top + h - M.bottom) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${(M.top + h - M.bottom) / 2})">${escapeHtml(o.yLabel)}</text>`);
  }
  return parts.join('');
}

function range(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

function svg(w: number, h: number, body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(label)}" font-family="sans-serif">${body}</svg>`;
}

/** A line plot of one or more series (non-finite values break the line), with a legend. */
export function linePlot(series: Series[], o: PlotOptions = {}): string {
  const w = o.width ?? 480;
  const h = o.height ?? 260;
  const xs = series.flatMap((s) => Array.from(s.x ?? Array.from({ length: s.values.length }, (_, i) => i + 1)));
  const ys = series.flatMap((s) => Array.from(s.values));
  const xr = range(xs);
  const yr = range(ys);
  const sx = (v: number) => M.left + ((v - xr[0]) / (xr[1] - xr[0])) * (w - M.left - M.right);
  const sy = (v: number) => h - M.bottom - ((v - yr[0]) / (yr[1] - yr[0])) * (h - M.top - M.bottom);
  const parts = [frame(o, w, h, xr, yr)];
  const legend: string[] = [];
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    let d = '';
    let pen = false;
    for (let i = 0; i < s.values.length; i++) {
      const xv = s.x ? s.x[i] : i + 1;
      const yv = s.values[i];
      if (!Number.isFinite(yv)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(xv).toFixed(1)},${sy(yv).toFixed(1)}`;
      pen = true;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    if (s.values.length <= 60) {
      for (let i = 0; i < s.values.length; i++) {
        if (Number.isFinite(s.values[i])) parts.push(`<circle cx="${sx(s.x ? s.x[i] : i + 1).toFixed(1)}" cy="${sy(s.values[i]).toFixed(1)}" r="2" fill="${color}"/>`);
      }
    }
    legend.push(`<rect x="${w - M.right - 110}" y="${M.top + 6 + k * 14}" width="10" height="3" fill="${color}"/>`);
    legend.push(`<text x="${w - M.right - 96}" y="${M.top + 10 + k * 14}" font-size="10">${escapeHtml(s.name)}</text>`);
  });
  // legend last, on a translucent box, so curves under it stay visible but do not hide the names
  parts.push(`<rect x="${w - M.right - 114}" y="${M.top + 2}" width="112" height="${series.length * 14 + 4}" fill="#fff" fill-opacity="0.8"/>`, ...legend);
  return svg(w, h, parts.join(''), o.title ?? 'line plot');
}

/** A vertical bar chart with the value printed on each bar (y axis from 0, or from the data minimum if negative). */
export function barChart(labels: string[], values: number[], o: PlotOptions & { yMax?: number; color?: string } = {}): string {
  if (labels.length !== values.length) throw new Error(`barChart: ${labels.length} labels for ${values.length} values`);
  const w = o.width ?? Math.max(240, 60 + labels.length * 56);
  const h = o.height ?? 240;
  const finite = values.filter(Number.isFinite);
  // 8% headroom so the value printed above the tallest bar clears the title
  const yr: [number, number] = [Math.min(0, ...finite), (o.yMax ?? Math.max(1e-9, ...finite)) * 1.08];
  const sy = (v: number) => h - M.bottom - ((v - yr[0]) / (yr[1] - yr[0])) * (h - M.top - M.bottom);
  const slot = (w - M.left - M.right) / Math.max(1, labels.length);
  const parts = [frame(o, w, h, [0, 1], yr, false)];
  labels.forEach((label, i) => {
    const x = M.left + i * slot + slot * 0.15;
    const v = Number.isFinite(values[i]) ? values[i] : 0;
    const top = Math.min(sy(v), sy(0));
    parts.push(`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${Math.abs(sy(v) - sy(0)).toFixed(1)}" fill="${o.color ?? PALETTE[0]}"/>`);
    parts.push(`<text x="${(x + slot * 0.35).toFixed(1)}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="10">${Number.isFinite(values[i]) ? fmt(values[i]) : 'n/a'}</text>`);
    parts.push(`<text x="${(x + slot * 0.35).toFixed(1)}" y="${h - M.bottom + 14}" text-anchor="middle" font-size="11">${escapeHtml(label)}</text>`);
  });
  return svg(w, h, parts.join(''), o.title ?? 'bar chart');
}

/** Options of `ecgTrace`. */
export interface TraceOptions extends PlotOptions {
  /** Sampling rate: the x axis is in seconds when given, else in samples. */
  fs?: number;
  /** Per-sample codes (0 = none); each non-zero code is shaded with `highlightColors[code]`. */
  highlight?: ArrayLike<number>;
  highlightColors?: Record<number, string>;
  /** Legend names of highlight codes. */
  highlightNames?: Record<number, string>;
  color?: string;
}

/** An ECG (or any 1-D signal) trace with optional shaded regions, e.g. ground-truth waves or attributions. */
export function ecgTrace(signal: ArrayLike<number>, o: TraceOptions = {}): string {
  const w = o.width ?? 480;
  const h = o.height ?? 180;
  const n = signal.length;
  const scale = o.fs ? 1 / o.fs : 1;
  const xr: [number, number] = [0, Math.max(1, n - 1) * scale];
  const yr = range(Array.from(signal));
  const sx = (i: number) => M.left + ((i * scale - xr[0]) / (xr[1] - xr[0])) * (w - M.left - M.right);
  const sy = (v: number) => h - M.bottom - ((v - yr[0]) / (yr[1] - yr[0])) * (h - M.top - M.bottom);
  const parts = [frame({ ...o, xLabel: o.xLabel ?? (o.fs ? 'time (s)' : 'sample') }, w, h, xr, yr)];
  const colors = o.highlightColors ?? { 1: rgbHex(WAVE_BAND_COLORS[1]), 2: rgbHex(WAVE_BAND_COLORS[2]), 3: rgbHex(WAVE_BAND_COLORS[3]) };
  if (o.highlight) {
    // one rectangle per run of equal non-zero codes
    for (let i = 0; i < n; ) {
      const code = o.highlight[i];
      let j = i;
      while (j + 1 < n && o.highlight[j + 1] === code) j++;
      if (code) {
        parts.push(`<rect x="${sx(i).toFixed(1)}" y="${M.top}" width="${Math.max(1, sx(j + 1 < n ? j + 1 : j) - sx(i)).toFixed(1)}" height="${h - M.top - M.bottom}" fill="${colors[code] ?? '#fe9'}"/>`);
      }
      i = j + 1;
    }
    Object.entries(o.highlightNames ?? {}).forEach(([code, name], k) => {
      parts.push(`<rect x="${w - M.right - 80}" y="${M.top + 4 + k * 13}" width="10" height="9" fill="${colors[Number(code)] ?? '#fe9'}" stroke="#999"/>`);
      parts.push(`<text x="${w - M.right - 66}" y="${M.top + 12 + k * 13}" font-size="10">${escapeHtml(name)}</text>`);
    });
  }
  let d = '';
  for (let i = 0; i < n; i++) if (Number.isFinite(signal[i])) d += `${d ? 'L' : 'M'}${sx(i).toFixed(1)},${sy(signal[i]).toFixed(1)}`;
  parts.push(`<path d="${d}" fill="none" stroke="${o.color ?? '#222'}" stroke-width="1.2"/>`);
  return svg(w, h, parts.join(''), o.title ?? 'ECG trace');
}
