import { Controller, Get, Header, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  PublicRoute,
  RequireScope,
  LeaderLeaseStore,
  NodeStore,
  StatsStore,
  SWITCHYARD_CONFIG,
  type NodeView,
  type SwitchyardConfig,
} from '@switchyard/core';
import type { Response } from 'express';
import { ErrorResponseDto } from '../http/error-response.dto';
import { LeaderLease } from '../leadership/leader-lease';
import { describeWait, waitingReasonCode } from '../scheduling/waiting-reason';
import { DashboardAssets } from './dashboard-assets';
import { DashboardHistory } from './dashboard-history';
import { DashboardSummaryDto } from './dashboard-summary.dto';

/** The operator's page: static assets served from memory, and one JSON read for its numbers. */
@ApiTags('dashboard')
@Controller()
export class DashboardController {
  constructor(
    private readonly assets: DashboardAssets,
    private readonly history: DashboardHistory,
    private readonly stats: StatsStore,
    private readonly nodes: NodeStore,
    private readonly leaderStore: LeaderLeaseStore,
    private readonly lease: LeaderLease,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  @Get()
  @PublicRoute('dashboard')
  @ApiOperation({ summary: 'The dashboard page' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'the dashboard files are missing from this build',
  })
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('dashboard/assets/:file')
  @PublicRoute('dashboard')
  @ApiOperation({ summary: 'A dashboard asset (script, style sheet)' })
  @ApiParam({ name: 'file', example: 'app.js' })
  @ApiOkResponse({
    description: 'the asset',
    content: {
      'text/javascript': { schema: { type: 'string' } },
      'text/css': { schema: { type: 'string' } },
    },
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'no such asset' })
  asset(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  @Get('dashboard/summary')
  @RequireScope('tasks:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Nodes, queues, waiting reasons, counters and recent history for the dashboard',
  })
  @ApiOkResponse({ type: DashboardSummaryDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Redis is unavailable' })
  async summary(): Promise<DashboardSummaryDto> {
    const [counters, depths, sizes, nodes, leader] = await Promise.all([
      this.stats.counters(),
      this.stats.queueDepths(this.config.maxTaskTypes),
      this.stats.indexSizes(),
      this.nodes.list(),
      this.leaderStore.current(),
    ]);
    const waiting: Record<string, number> = { delayed: sizes.delayed, blocked: sizes.blocked };
    const queues = [...depths].map(([type, depth]) => {
      const code = waitingReasonCode(type, { slots: 1, cpu: 0, memoryMb: 0, labels: {} }, nodes);
      waiting[code] = (waiting[code] ?? 0) + depth;
      return code === 'noCapacity' && hasFreeSlot(nodes, type)
        ? { type, depth }
        : { type, depth, reason: describeWait(type, code) };
    });
    return {
      at: Date.now(),
      leader: { epoch: leader?.epoch ?? 0, self: this.lease.isLeader },
      counters: { ...counters, deadLetters: sizes.failed },
      queues,
      waiting,
      nodes,
      history: this.history.list(),
    };
  }

  private send(res: Response, file: string): void {
    const asset = this.assets.get(file);
    if (asset === undefined)
      throw new NotFoundException({
        statusCode: 404,
        error: 'not_found',
        message: `no dashboard asset "${file.slice(0, 64)}"`,
      });
    res.status(200).type(asset.contentType).setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', asset.etag);
    res.end(asset.body);
  }
}

function hasFreeSlot(nodes: readonly NodeView[], type: string): boolean {
  return nodes.some(
    (n) => n.status === 'alive' && n.types.includes(type) && n.used.slots < n.capacity.slots,
  );
}
