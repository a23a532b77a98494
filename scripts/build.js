#!/usr/bin/env node
// Builds the libs (core, dispatcher, worker), then the apps (tsc project references, incremental),
// and copies the Lua scripts next to the compiled store and the dashboard files next to its controller.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const projects = [
  'apps/dispatcher/tsconfig.app.json',
  'apps/worker/tsconfig.app.json',
  'apps/cli/tsconfig.app.json',
];
execFileSync(process.execPath, [tsc, '-b', ...projects], { cwd: root, stdio: 'inherit' });
fs.cpSync(
  path.join(root, 'libs/core/src/store/scripts'),
  path.join(root, 'libs/core/dist/store/scripts'),
  { recursive: true, filter: (src) => fs.statSync(src).isDirectory() || src.endsWith('.lua') },
);
fs.cpSync(
  path.join(root, 'libs/dispatcher/src/dashboard/public'),
  path.join(root, 'libs/dispatcher/dist/dashboard/public'),
  { recursive: true },
);
// the CLI is an npm bin: make it executable
fs.chmodSync(path.join(root, 'dist/apps/cli/main.js'), 0o755);
