import * as fs from 'node:fs';
import { CONFIG_VARIABLES } from './config.schema';

const { render, target } = require('../../../../scripts/config-docs.js') as {
  render: (vars: unknown) => string;
  target: string;
};

describe('the configuration reference', () => {
  it('is generated from the schema and up to date (run `node scripts/config-docs.js`)', () => {
    expect(fs.readFileSync(target, 'utf8')).toBe(render(CONFIG_VARIABLES));
  });

  it('documents every variable with a description', () => {
    for (const variable of Object.values(CONFIG_VARIABLES)) {
      expect(variable.description.length).toBeGreaterThan(5);
      expect(variable.name).toMatch(/^[A-Z][A-Z0-9_]+$/);
    }
  });
});
