import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope, NodeStore, type NodeView } from '@switchyard/core';
import { ErrorResponseDto } from '../http/error-response.dto';
import { NodeDrainDto } from './dto/node-drain.dto';
import { NodeListDto, NodeViewDto } from './dto/node-view.dto';
import { NodeDrain } from './node-drain.service';
import { NodeIdPipe } from './node-id.pipe';

@ApiTags('nodes')
@ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Redis is unavailable' })
@Controller('nodes')
export class NodesController {
  constructor(
    private readonly nodes: NodeStore,
    private readonly drainer: NodeDrain,
  ) {}

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'List worker nodes: status, capacity and use, last heartbeat and completion',
  })
  @ApiOkResponse({ type: NodeListDto })
  async list(): Promise<{ nodes: NodeView[] }> {
    return { nodes: await this.nodes.list() };
  }

  @Get(':id')
  @RequireScope('tasks:read')
  @ApiOperation({ summary: 'Get one node' })
  @ApiParam({ name: 'id', description: 'node id' })
  @ApiOkResponse({ type: NodeViewDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'not a node id' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'no such node' })
  get(@Param('id', NodeIdPipe) id: string): Promise<NodeView> {
    return this.nodes.get(id);
  }

  /** 202: the node stops taking work now, finishes or hands back what it runs, then leaves. */
  @Post(':id/drain')
  @RequireScope('nodes:admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Drain a node: no new work; it finishes or hands back what it runs, then leaves',
  })
  @ApiParam({ name: 'id', description: 'node id' })
  @ApiAcceptedResponse({ type: NodeDrainDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'not a node id' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'no such node' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'the node is not running (dead)' })
  drain(@Param('id', NodeIdPipe) id: string): Promise<object> {
    return this.drainer.drain(id);
  }
}
