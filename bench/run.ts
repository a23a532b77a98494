// `npm run bench [-- --quick] [--reps N] [--cases 1,3] [--profile <dir>]`: Switchyard against
// BullMQ, side by side. See bench/README.md for what each case measures.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { runMemoryCase } from './cases/memory-case';
import { runSchedulingCase } from './cases/scheduling-case';
import { runWorkerCases } from './cases/worker-cases';
import { planFromArgs } from './support/bench-plan';
import { markdownTable, Results } from './support/results';
import { checkTargets } from './support/targets';

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

function machineFacts(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    kernel: os.release(),
    loadAverage: os.loadavg(),
  };
}

function versions(): Record<string, string> {
  const pkg = (p: string): string =>
    (JSON.parse(fs.readFileSync(path.join(ROOT, p), 'utf8')) as { version: string }).version;
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    /* not a git checkout */
  }
  const redis = execFileSync('redis-server', ['--version']).toString();
  return {
    node: process.version,
    redis: /v=(\S+)/.exec(redis)?.[1] ?? 'unknown',
    bullmq: pkg('node_modules/bullmq/package.json'),
    switchyard: `${pkg('package.json')} (${commit})`,
  };
}

async function main(): Promise<void> {
  const plan = planFromArgs(process.argv.slice(2));
  Logger.overrideLogger(['error', 'warn']); // the client's bus connection logs at info
  const startedAt = new Date();
  const machineBefore = machineFacts();
  process.stdout.write(
    `switchyard bench${plan.quick ? ' (quick)' : ''}: ${plan.reps} repetition(s), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  if (plan.profileDir !== undefined) fs.mkdirSync(plan.profileDir, { recursive: true });
  const results = new Results();
  await runWorkerCases(plan, results);
  await runSchedulingCase(plan, results);
  await runMemoryCase(plan, results);

  const rows = results.summary();
  const targets = checkTargets(rows);
  const table = markdownTable(rows);
  const targetLines = targets.map(
    (t) => `- ${t.met ? 'met' : 'MISSED'}: ${t.target} — measured ${t.measured}`,
  );
  process.stdout.write(`\n${table}\n\nTargets:\n${targetLines.join('\n')}\n`);

  const report = {
    date: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    quick: plan.quick,
    machine: { ...machineBefore, loadAverageAfter: os.loadavg() },
    versions: versions(),
    plan: { ...plan, cases: [...plan.cases] },
    rows,
    targets,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, plan.quick ? 'latest-quick.json' : 'latest.json');
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${path.relative(ROOT, file)} in ${report.durationS} s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
