import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HtmlReport, barChart, confusionTable, ecgTrace, escapeHtml, linePlot, niceTicks } from '../../src/report/index.js';
import { classificationReport } from '../../src/train/metrics.js';

/** Every opened element is closed in order (a cheap well-formedness check for our SVG/HTML output). */
function assertBalanced(markup: string): void {
  const stack: string[] = [];
  const voids = new Set(['meta', '!DOCTYPE']);
  for (const m of markup.matchAll(/<(\/?)([!A-Za-z][A-Za-z0-9]*)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self || voids.has(name)) continue;
    if (close) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else stack.push(name);
  }
  assert.deepEqual(stack, []);
}

test('escapeHtml escapes all five special characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeHtml(3), '3');
});

test('niceTicks gives round steps covering the range', () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 100, 4), [0, 25, 50, 75, 100]);
  assert.deepEqual(niceTicks(2, 2), [2]);
});

test('line plot maps the data corners to the plot corners and escapes names', () => {
  const s = linePlot([{ name: 'loss <train>', values: [0, 1] }], { width: 400, height: 200, title: 'a&b' });
  // margins left 52, right 12, top 28, bottom 40: (x=1,y=0) -> (52,160), (x=2,y=1) -> (388,28)
  assert.match(s, /<path d="M52\.0,160\.0L388\.0,28\.0"/);
  assert.match(s, /loss &lt;train&gt;/);
  assert.match(s, /a&amp;b/);
  assert.doesNotMatch(s, /<train>/);
  assertBalanced(s);
  // NaN breaks the line into two pieces
  const d = /<path d="([^"]*)"/.exec(linePlot([{ name: 'v', values: [1, NaN, 2, 3] }]))![1];
  assert.equal(d.replace(/[^ML]/g, ''), 'MML');
});

test('bar chart draws one bar per value with its label', () => {
  const s = barChart(['N', 'S', 'V'], [0.9, 0.5, 0.7], { title: 'F1', yMax: 1 });
  assert.equal((s.match(/<rect [^>]*fill="#1f77b4"/g) ?? []).length, 3);
  assert.match(s, />0\.9</);
  assert.match(s, />S</);
  assertBalanced(s);
  assert.throws(() => barChart(['a'], [1, 2]));
});

test('ECG trace shades one rectangle per run of highlighted samples', () => {
  const sig = Array.from({ length: 100 }, (_, i) => Math.sin(i / 5));
  const hl = new Uint8Array(100);
  hl.fill(1, 10, 20);
  hl.fill(2, 20, 30);
  hl.fill(1, 60, 70);
  const s = ecgTrace(sig, { fs: 100, highlight: hl, highlightNames: { 1: 'P', 2: 'QRS' }, title: 'beat' });
  assert.equal((s.match(/fill="#cde1ff"/g) ?? []).length, 3); // 2 runs + legend swatch (P: same pale blue as the PNG traces)
  assert.equal((s.match(/fill="#ffd7d7"/g) ?? []).length, 2); // 1 run + legend swatch (QRS)
  assert.match(s, /time \(s\)/);
  assertBalanced(s);
});

test('HTML report is self-contained, escaped and well formed', () => {
  const rep = classificationReport([0, 0, 1, 1], [0, 1, 1, 1], ['N', 'V<'], [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7]);
  const html = new HtmlReport('Demo <1>')
    .heading('Training & curves')
    .paragraph('text with "quotes"')
    .figures([{ svg: linePlot([{ name: 'loss', values: [1, 0.5] }]), caption: 'loss' }])
    .metrics(rep)
    .confusion(rep.confusion, rep.classNames)
    .keyValues({ seed: 1 })
    .render();
  assert.match(html, /<title>Demo &lt;1&gt;<\/title>/);
  assert.match(html, /Training &amp; curves/);
  assert.match(html, /V&lt;/);
  assert.doesNotMatch(html, /(src|href)=/); // no external assets
  assert.match(html, /<td>0\.667<\/td>/); // precision of V< = 2/3
  assertBalanced(html.replace(/<style>[\s\S]*?<\/style>/, ''));
});

test('confusion table shades by row fraction', () => {
  const t = confusionTable([[3, 1], [0, 2]], ['a', 'b']);
  assert.match(t, /rgb\(120,120,255\)[^>]*>3</); // 3/4 -> 255 - 180*0.75 = 120
  assert.match(t, /rgb\(255,255,255\)[^>]*>0</);
  assert.match(t, /rgb\(75,75,255\)[^>]*>2</);
});
