#!/usr/bin/env node
// Prints a new random API key and its API_KEYS entry (the SHA-256 of the key, never the key).
//   node scripts/api-key.js <name> <scope> [scope...]
// Give the key to the client (SWITCHYARD_API_KEY, "Authorization: Bearer <key>"); put the entry
// in API_KEYS. The key is shown once: nothing stores it. See docs/security.md.
'use strict';
const { createHash, randomBytes } = require('node:crypto');

const SCOPES = ['tasks:write', 'tasks:read', 'nodes:admin', 'schedules:admin'];
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function fail(message) {
  process.stderr.write(
    `${message}\nusage: node scripts/api-key.js <name> <scope> [scope...]\nscopes: ${SCOPES.join(', ')}\n`,
  );
  process.exit(2);
}

const [name, ...scopes] = process.argv.slice(2);
if (name === undefined || !NAME.test(name)) fail(`the name must match ${NAME}`);
if (scopes.length === 0) fail('give at least one scope');
for (const scope of scopes) if (!SCOPES.includes(scope)) fail(`unknown scope "${scope}"`);

const key = randomBytes(32).toString('base64url');
const hash = createHash('sha256').update(key, 'utf8').digest('hex');
const entry = `${name}:${hash}:${[...new Set(scopes)].join('|')}`;
process.stdout.write(`key: ${key}\nentry: ${entry}\n`);
