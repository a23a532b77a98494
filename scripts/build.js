#!/usr/bin/env node
// Builds libs/core, then the apps (tsc project references, incremental),
// and copies the Lua scripts next to the compiled store.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const projects = ['apps/dispatcher/tsconfig.app.json', 'apps/worker/tsconfig.app.json'];
execFileSync(process.execPath, [tsc, '-b', ...projects], { cwd: root, stdio: 'inherit' });
fs.cpSync(
  path.join(root, 'libs/core/src/store/scripts'),
  path.join(root, 'libs/core/dist/store/scripts'),
  { recursive: true, filter: (src) => fs.statSync(src).isDirectory() || src.endsWith('.lua') },
);
