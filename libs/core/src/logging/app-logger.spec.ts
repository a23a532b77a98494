import { idsOfRequest } from './app-logger.module';

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
