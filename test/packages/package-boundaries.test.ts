import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// The three libs are packages other projects depend on: each declares what it imports, exposes
// only its root, and nobody reaches into another package's sources.
const ROOT = path.resolve(__dirname, '../..');
const PACKAGES = ['core', 'dispatcher', 'worker'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(full);
    return /\.ts$/.test(entry.name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]);
}

/** `@scope/name/deep` → `@scope/name`, `name/deep` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe.each(PACKAGES)('@switchyard/%s', (name) => {
  const dir = path.join(ROOT, 'libs', name);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const shipped = sourceFiles(path.join(dir, 'src')).filter(
    (f) => !/\.(spec|fixture)\.ts$/.test(f) && !f.includes(`${path.sep}testing${path.sep}`),
  );

  it('is named for its folder and exposes only its root and package.json', () => {
    expect(manifest.name).toBe(`@switchyard/${name}`);
    expect(Object.keys(manifest.exports)).toEqual(['.', './package.json']);
    expect(manifest.exports['.']).toEqual({
      types: './dist/index.d.ts',
      default: './dist/index.js',
    });
  });

  it('declares every package its shipped sources import', () => {
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const undeclared = new Set<string>();
    for (const file of shipped) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        const pkg = packageName(spec);
        // type-only imports of express come with @nestjs/platform-express or the host app
        if (pkg === 'express' || pkg === `@switchyard/${name}`) continue;
        if (!declared.has(pkg)) undeclared.add(`${pkg} (${path.relative(ROOT, file)})`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it('imports other Switchyard packages by their root only', () => {
    const deep = shipped.flatMap((file) =>
      importsOf(file)
        .filter(
          (spec) => /^@switchyard\/[^/]+\/.+/.test(spec) || /(^|\/)libs\/|(^|\/)apps\//.test(spec),
        )
        .map((spec) => `${path.relative(ROOT, file)}: ${spec}`),
    );
    expect(deep).toEqual([]);
  });
});

describe('users of the packages', () => {
  it('apps, examples, tests and benches never import a package by a source path', () => {
    const users = ['apps', 'examples', 'test', 'bench'].flatMap((d) =>
      sourceFiles(path.join(ROOT, d)),
    );
    const deep = users.flatMap((file) =>
      importsOf(file)
        .filter((spec) =>
          /(^|\/)libs\/[^/]+\/src|(^|\/)apps\/[^/]+\/src|^@switchyard\/[^/]+\/.+/.test(spec),
        )
        .map((spec) => `${path.relative(ROOT, file)}: ${spec}`),
    );
    expect(deep).toEqual([]);
  });

  it('resolves each package root to its built entry point, as Node does outside Jest', () => {
    for (const name of PACKAGES) {
      // Jest maps @switchyard/* to sources; ask a plain node process instead
      const resolved = execFileSync(
        process.execPath,
        ['-p', `require.resolve('@switchyard/${name}')`],
        { cwd: ROOT, encoding: 'utf8' },
      ).trim();
      expect(path.relative(ROOT, resolved)).toBe(path.join('libs', name, 'dist', 'index.js'));
    }
  });
});
