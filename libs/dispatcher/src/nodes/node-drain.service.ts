import { Injectable } from '@nestjs/common';
import { BusPublisher, NodeStateError, NodeStore } from '@switchyard/core';

/**
 * POST /nodes/:id/drain: marks the node draining in Redis (so it gets no new work at once),
 * then tells it to drain. A node that misses the message learns it from its next heartbeat.
 */
@Injectable()
export class NodeDrain {
  constructor(
    private readonly nodes: NodeStore,
    private readonly bus: BusPublisher,
  ) {}

  async drain(id: string): Promise<{ node: string; incarnation: number; status: 'draining' }> {
    const node = await this.nodes.get(id);
    if (node.status === 'dead' || !(await this.nodes.drain(id, node.incarnation))) {
      throw new NodeStateError(id, node.status, 'drain (it is not running)');
    }
    this.bus.nodeDrain({ node: id, incarnation: node.incarnation });
    this.bus.nodesChanged({ node: id, change: 'draining' });
    return { node: id, incarnation: node.incarnation, status: 'draining' };
  }
}
