/** Self-contained HTML reports with inline SVG plots (browser-safe; Node writes them with node/fs.ts). */
export { escapeHtml } from './escape.js';
export { HtmlReport, confusionTable, base64 } from './html.js';
export { linePlot, barChart, ecgTrace, niceTicks, type Series, type PlotOptions, type TraceOptions } from './svg.js';
export { trainingReport, type TrainingReportInput, type TraceExample, type ReportSection } from './training.js';
export * from './colormap.js';
export * from './overlay.js';
export * from './ecg-image.js';
