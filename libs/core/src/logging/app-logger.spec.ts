import { idsOfRequest, loggedUrl } from './app-logger.module';

describe('ids in request logs', () => {
  it('takes the task id or node id from the URL', () => {
    expect(idsOfRequest('/tasks/01M8D3ZHTN946B1AXM00FC59FA')).toEqual({
      taskId: '01M8D3ZHTN946B1AXM00FC59FA',
    });
    expect(idsOfRequest('/tasks/01M8D3ZHTN946B1AXM00FC59FA/retry')).toEqual({
      taskId: '01M8D3ZHTN946B1AXM00FC59FA',
    });
    expect(idsOfRequest('/nodes/worker-3/drain')).toEqual({ nodeId: 'worker-3' });
    expect(idsOfRequest('/tasks/batch')).toEqual({});
    expect(idsOfRequest(undefined)).toEqual({});
  });
});

describe('URLs in request logs', () => {
  it('replaces credential-like query values and keeps the rest', () => {
    expect(loggedUrl('/events?kind=task&access_token=s3cret')).toBe(
      '/events?kind=task&access_token=[redacted]',
    );
    expect(loggedUrl('/stats?API_KEY=s3cret&x=1')).toBe('/stats?API_KEY=[redacted]&x=1');
    expect(loggedUrl('/tasks?state=failed&limit=20')).toBe('/tasks?state=failed&limit=20');
    expect(loggedUrl(undefined)).toBeUndefined();
  });
});
