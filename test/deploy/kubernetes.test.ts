import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '@switchyard/core';
import { parseAllDocuments } from 'yaml';

// Reads the manifests (no cluster here) and checks that their parts fit each other and the apps.
const DIR = path.resolve(__dirname, '..', '..', 'deploy/kubernetes');
const CONFIG_NAMES = new Set(Object.values(CONFIG_VARIABLES).map((v) => v.name));

const kustomization = parseAllDocuments(
  fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8'),
)[0].toJS();
const manifests: any[] = (kustomization.resources as string[]).flatMap((file) =>
  parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((d) => d.toJS()),
);
const ofKind = (kind: string): any[] => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string): any => {
  const found = ofKind(kind).find((m) => m.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
};
const configMap = named('ConfigMap', 'switchyard-config');
const secret = named('Secret', 'switchyard-redis');
const dispatcher = named('Deployment', 'switchyard-dispatcher');
const worker = named('Deployment', 'switchyard-worker');
const containerOf = (deployment: any): any => deployment.spec.template.spec.containers[0];
const envValue = (container: any, name: string): string | undefined =>
  container.env?.find((e: any) => e.name === name)?.value ?? configMap.data[name];
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/kubernetes', () => {
  it('lists only files that exist and parse', () => {
    expect(
      manifests.every((m) => typeof m.kind === 'string' && typeof m.metadata?.name === 'string'),
    ).toBe(true);
  });

  it('runs two dispatchers, ready on /health/ready and live on /health/live, on the PORT they listen on', () => {
    expect(dispatcher.spec.replicas).toBe(2);
    const c = containerOf(dispatcher);
    const http = c.ports.find((p: any) => p.name === 'http');
    expect(String(http.containerPort)).toBe(envValue(c, 'PORT'));
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
  });

  it('drains workers on stop, with a termination grace longer than DRAIN_GRACE_MS', () => {
    const spec = worker.spec.template.spec;
    const c = containerOf(worker);
    const preStop = c.lifecycle.preStop.exec.command.join(' ');
    expect(preStop).toMatch(/\/nodes\/' \+ process\.env\.NODE_ID \+ '\/drain/);
    // the hook is bounded, and its budget plus the drain plus the result flush fit in the grace
    const hookMs = Number(/AbortSignal\.timeout\((\d+)\)/.exec(preStop)?.[1]);
    const drainMs = Number(envValue(c, 'DRAIN_GRACE_MS'));
    expect(hookMs).toBeGreaterThan(0);
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(hookMs + drainMs + 5000);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(String(c.ports.find((p: any) => p.name === 'http').containerPort)).toBe(
      envValue(c, 'PORT'),
    );
  });

  it('gives the preStop hook a script Node can parse', () => {
    const [bin, flag, script] = containerOf(worker).lifecycle.preStop.exec.command;
    expect([bin, flag]).toEqual(['node', '-e']);
    expect(() => new Function(script)).not.toThrow();
  });

  it('names each worker node after its pod', () => {
    const nodeId = containerOf(worker).env.find((e: any) => e.name === 'NODE_ID');
    expect(nodeId.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
  });

  it('points the preStop drain at the dispatcher Service', () => {
    const preStop = containerOf(worker).lifecycle.preStop.exec.command.join(' ');
    const host = /http:\/\/([a-z0-9-]+)\//.exec(preStop)?.[1];
    const service = named('Service', host as string);
    expect(service.spec.ports.map((p: any) => p.port)).toContain(80);
  });

  it('routes every Service to a named container port of the pods it selects', () => {
    for (const service of ofKind('Service')) {
      const targets = ofKind('Deployment').filter((d) =>
        matches(service.spec.selector, d.spec.template.metadata.labels),
      );
      expect([service.metadata.name, targets.length]).toEqual([service.metadata.name, 1]);
      const portNames = containerOf(targets[0]).ports.map((p: any) => p.name);
      for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
    }
  });

  it('selects its own pods in every Deployment and PodDisruptionBudget', () => {
    for (const d of ofKind('Deployment')) {
      expect(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    }
    for (const pdb of ofKind('PodDisruptionBudget')) {
      const targets = ofKind('Deployment').filter((d) =>
        matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels),
      );
      expect(targets).toHaveLength(1);
      // a budget that allows no disruption at all would block every node drain
      if (pdb.spec.minAvailable !== undefined)
        expect(pdb.spec.minAvailable).toBeLessThan(targets[0].spec.replicas);
      if (pdb.spec.maxUnavailable !== undefined) expect(pdb.spec.maxUnavailable).toBeGreaterThan(0);
    }
  });

  it('takes the Redis URL from the Secret and the rest from the ConfigMap', () => {
    expect(Object.keys(secret.stringData)).toEqual(['REDIS_URL']);
    for (const d of ofKind('Deployment')) {
      const refs = containerOf(d).envFrom;
      expect(refs).toContainEqual({ configMapRef: { name: configMap.metadata.name } });
      expect(refs).toContainEqual({ secretRef: { name: secret.metadata.name } });
    }
  });

  it('uses only variable names the config schema knows', () => {
    const names = [
      ...Object.keys(configMap.data),
      ...Object.keys(secret.stringData),
      ...ofKind('Deployment').flatMap((d) => containerOf(d).env.map((e: any) => e.name)),
    ];
    expect(names.filter((n) => !CONFIG_NAMES.has(n))).toEqual([]);
  });

  it('gives each app a configuration it accepts at start', () => {
    // loadConfig validates every variable and their relations, as the apps do at start
    for (const d of ofKind('Deployment')) {
      const literal = containerOf(d).env.filter((e: any) => e.value !== undefined);
      const env = {
        ...configMap.data,
        ...secret.stringData,
        ...Object.fromEntries(literal.map((e: any) => [e.name, e.value])),
      };
      expect(() => loadConfig(env)).not.toThrow();
    }
  });

  it('runs every pod as non-root with a read-only root filesystem and a pinned image tag', () => {
    const pinned = new Set(kustomization.images.map((i: any) => i.name));
    for (const d of ofKind('Deployment')) {
      expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      const c = containerOf(d);
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      expect(pinned.has(c.image)).toBe(true);
    }
  });
});
