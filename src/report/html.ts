/**
 * A small self-contained HTML report builder (browser-safe): headings, paragraphs, key-value and
 * data tables, a confusion-matrix heat table and inline SVG figures, rendered to one HTML string
 * with inline CSS and no external assets. All text is escaped; only SVG from `svg.ts` is inserted raw.
 */
import { escapeHtml } from './escape.js';
import type { ClassificationReport } from '../train/metrics.js';

const CSS = `body{font-family:system-ui,sans-serif;max-width:1000px;margin:24px auto;padding:0 16px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}figure{display:inline-block;margin:6px}figcaption{font-size:.85em;color:#555}
.meta{color:#666;font-size:.9em}`;

/** Builds a report section by section, then `render()`s it. */
export class HtmlReport {
  private parts: string[] = [];

  constructor(readonly title: string) {}

  /** A section heading. */
  heading(text: string): this {
    this.parts.push(`<h2>${escapeHtml(text)}</h2>`);
    return this;
  }

  /** A paragraph of plain text. */
  paragraph(text: string, className?: string): this {
    this.parts.push(`<p${className ? ` class="${escapeHtml(className)}"` : ''}>${escapeHtml(text)}</p>`);
    return this;
  }

  /** A table with a header row; numbers are shown with `digits` decimals. */
  table(header: string[], rows: (string | number)[][], digits = 3): this {
    const cell = (v: string | number, tag: string) =>
      typeof v === 'number' ? `<${tag}>${Number.isNaN(v) ? 'n/a' : Number.isInteger(v) ? v : v.toFixed(digits)}</${tag}>` : `<${tag} class="l">${escapeHtml(v)}</${tag}>`;
    const head = `<tr>${header.map((h) => `<th class="l">${escapeHtml(h)}</th>`).join('')}</tr>`;
    this.parts.push(`<table>${head}${rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('')}</table>`);
    return this;
  }

  /** A two-column table of settings or results. */
  keyValues(entries: Record<string, string | number>): this {
    return this.table(['', ''], Object.entries(entries).map(([k, v]) => [k, v]));
  }

  /** Inline SVG figures side by side with captions. Pass SVG made by `svg.ts` (inserted as is). */
  figures(items: { svg: string; caption?: string }[]): this {
    this.parts.push(
      `<div>${items.map((f) => `<figure>${f.svg}${f.caption ? `<figcaption>${escapeHtml(f.caption)}</figcaption>` : ''}</figure>`).join('')}</div>`,
    );
    return this;
  }

  /** PNG pictures side by side with captions, embedded as data URIs (the report stays one file). */
  images(items: { png: Uint8Array; caption?: string }[]): this {
    this.parts.push(
      `<div>${items
        .map((f) => `<figure><img alt="${escapeHtml(f.caption ?? '')}" src="data:image/png;base64,${base64(f.png)}">${f.caption ? `<figcaption>${escapeHtml(f.caption)}</figcaption>` : ''}</figure>`)
        .join('')}</div>`,
    );
    return this;
  }

  /** Confusion matrix as a heat table: rows true class, columns predicted, shade by row fraction. */
  confusion(matrix: number[][], classNames: string[]): this {
    this.parts.push(confusionTable(matrix, classNames));
    return this;
  }

  /** Per-class precision/recall/F1/support (+AUROC) and the summary metrics of a classification report. */
  metrics(r: ClassificationReport): this {
    const header = ['class', 'precision', 'recall', 'F1', 'support', ...(r.auroc ? ['AUROC'] : [])];
    const rows = r.classNames.map((c, i) => [c, r.precision[i], r.recall[i], r.f1[i], r.support[i], ...(r.auroc ? [r.auroc[i]] : [])]);
    this.table(header, rows);
    const summary: Record<string, number> = { accuracy: r.accuracy, 'balanced accuracy': r.balancedAccuracy, 'macro F1': r.macroF1 };
    if (r.macroAuroc !== undefined) summary['macro AUROC'] = r.macroAuroc;
    return this.keyValues(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, Number.isNaN(v) ? 'n/a' : v.toFixed(3)])));
  }

  /** The whole document. */
  render(): string {
    return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(this.title)}</title><style>${CSS}</style></head>\n<body><h1>${escapeHtml(this.title)}</h1>\n${this.parts.join('\n')}\n</body></html>\n`;
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of bytes (browser-safe: no Buffer; btoa would need a binary string copy). */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/** Confusion matrix heat table (HTML): cell shade = count / row total, so each true class reads as recall. */
export function confusionTable(matrix: number[][], classNames: string[]): string {
  const head = `<tr><th class="l">true \\ predicted</th>${classNames.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v) => {
      const f = total ? v / total : 0;
      const light = Math.round(255 - 180 * f);
      return `<td style="background:rgb(${light},${light},255);color:${f > 0.6 ? '#fff' : '#000'}">${v}</td>`;
    });
    return `<tr><th class="l">${escapeHtml(classNames[i] ?? String(i))}</th>${cells.join('')}</tr>`;
  });
  return `<table class="confusion">${head}${rows.join('')}</table>`;
}
