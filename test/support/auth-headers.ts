/**
 * The one place tests add credentials. API_KEYS configures only hashes, so the key itself comes
 * from TEST_API_KEY in the cluster env: set both there (see fuzzApiKeyEnv) and every request of
 * TestCluster, and every fuzzed one, carries `Authorization: Bearer <key>`.
 */
export function authHeaders(env: Readonly<Record<string, string>>): Record<string, string> {
  const key = env.TEST_API_KEY;
  return key === undefined || key === '' ? {} : { authorization: `Bearer ${key}` };
}
