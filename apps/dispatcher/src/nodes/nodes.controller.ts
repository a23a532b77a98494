import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { NodeStore, type NodeView } from '@switchyard/core';
import { NodeDrain } from './node-drain.service';

@Controller('nodes')
export class NodesController {
  constructor(
    private readonly nodes: NodeStore,
    private readonly drainer: NodeDrain,
  ) {}

  @Get()
  async list(): Promise<{ nodes: NodeView[] }> {
    return { nodes: await this.nodes.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<NodeView> {
    return this.nodes.get(id);
  }

  /** 202: the node stops taking work now, finishes or hands back what it runs, then leaves. */
  @Post(':id/drain')
  @HttpCode(HttpStatus.ACCEPTED)
  drain(@Param('id') id: string): Promise<object> {
    return this.drainer.drain(id);
  }
}
