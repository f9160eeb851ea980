#!/usr/bin/env node
// Entry point of the installed CLI: runs the compiled TypeScript (npm run build, done by `prepare`).
import '../dist/cli/main.js';
