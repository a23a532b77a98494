import { execFile } from 'node:child_process';
import * as path from 'node:path';

export const CLI_MAIN = path.resolve(__dirname, '..', '..', 'dist/apps/cli/main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `switchyard` CLI against `url` with a clean environment plus `env`. */
export function runCli(
  url: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 100_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_MAIN, ...args],
      { env: { PATH: process.env.PATH ?? '', SWITCHYARD_URL: url, ...env }, timeout: timeoutMs },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
