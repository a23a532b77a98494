import { ApiProperty } from '@nestjs/swagger';

const COUNTS = { type: 'object', additionalProperties: { type: 'number' } } as const;

export class TaskStatsDto {
  @ApiProperty() queued: number;
  @ApiProperty() delayed: number;
  @ApiProperty() blocked: number;
  @ApiProperty() failed: number;
  @ApiProperty({
    ...COUNTS,
    description: 'cluster-wide counters (submitted, succeeded, failed, retried, cancelled, ...)',
  })
  counters: Record<string, number>;
}

export class QueueDepthDto {
  @ApiProperty() type: string;
  @ApiProperty() depth: number;
}

export class WaitingStatsDto {
  @ApiProperty({ description: 'queued tasks classified (a bounded sample of each queue)' })
  classified: number;
  @ApiProperty() queued: number;
  @ApiProperty({ ...COUNTS }) byReason: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: COUNTS,
    description: 'type → reason → count',
  })
  byType: Record<string, Record<string, number>>;
  @ApiProperty({ ...COUNTS }) byPriority: Record<string, number>;
}

/** GET /stats. */
export class StatsViewDto {
  @ApiProperty({ description: 'epoch ms' }) observedAt: number;
  @ApiProperty({ type: () => TaskStatsDto }) tasks: TaskStatsDto;
  @ApiProperty({ type: () => [QueueDepthDto] }) queues: QueueDepthDto[];
  @ApiProperty({ ...COUNTS, description: 'nodes by status' }) nodes: Record<string, number>;
  @ApiProperty({ type: () => WaitingStatsDto }) waiting: WaitingStatsDto;
}
