/**
 * The one place tests under test/security add credentials. API_KEYS (issue 8a) configures
 * only hashes, so the key itself comes from TEST_API_KEY in the cluster env: set both there
 * and every fuzzed and scripted request carries `Authorization: Bearer <key>`.
 */
export function authHeaders(env: Readonly<Record<string, string>>): Record<string, string> {
  const key = env.TEST_API_KEY;
  return key === undefined || key === '' ? {} : { authorization: `Bearer ${key}` };
}
