import * as fs from 'node:fs';
import * as path from 'node:path';
import { REDIS_ACL_COMMANDS, redisAclRules } from './redis-acl';

const allowed = new Set<string>(Object.values(REDIS_ACL_COMMANDS).flat());

describe('the Redis ACL command list', () => {
  it('allows every command the Lua scripts call', () => {
    const dir = path.join(__dirname, 'scripts');
    const called = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.lua'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const m of source.matchAll(/redis\.p?call\(\s*'([A-Za-z]+)'/g))
        called.add(m[1].toLowerCase());
    }
    expect(called.size).toBeGreaterThan(10);
    expect([...called].filter((c) => !allowed.has(c))).toEqual([]);
  });

  it('limits a user to the prefix: its keys, its channels, the listed commands', () => {
    const rules = redisAclRules('sy', 'pw');
    expect(rules.slice(0, 6)).toEqual(['reset', 'on', '>pw', '~{sy}:*', '&sy:*', '-@all']);
    expect(rules).toContain('+evalsha');
    expect(rules).toContain('+fcall');
    expect(rules).toContain('+function|load');
    expect(rules).not.toContain('+function');
    expect(rules).not.toContain('+flushall');
    expect(rules).not.toContain('+keys');
  });
});
