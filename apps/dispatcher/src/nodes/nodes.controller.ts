import { Controller, Get, Param } from '@nestjs/common';
import { NodeStore, type NodeView } from '@switchyard/core';

@Controller('nodes')
export class NodesController {
  constructor(private readonly nodes: NodeStore) {}

  @Get()
  async list(): Promise<{ nodes: NodeView[] }> {
    return { nodes: await this.nodes.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<NodeView> {
    return this.nodes.get(id);
  }
}
