import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NodeViewDto } from '../nodes/dto/node-view.dto';

export class QueueSummaryDto {
  @ApiProperty() type: string;
  @ApiProperty() depth: number;
  @ApiPropertyOptional({
    description: 'why its tasks wait, when nothing can run them',
    example: 'no node handles type echo',
  })
  reason?: string;
}

export class HistorySampleDto {
  @ApiProperty({ description: 'epoch ms' }) at: number;
  @ApiProperty() queued: number;
  @ApiProperty() submitted: number;
  @ApiProperty() succeeded: number;
  @ApiProperty() failed: number;
}

export class LeaderSummaryDto {
  @ApiProperty({ description: '0 when no dispatcher leads' }) epoch: number;
  @ApiProperty({ description: 'this dispatcher leads' }) self: boolean;
}

/** Everything the dashboard page shows, in one read. */
export class DashboardSummaryDto {
  @ApiProperty({ description: 'epoch ms' }) at: number;
  @ApiProperty({ type: () => LeaderSummaryDto }) leader: LeaderSummaryDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'cluster-wide counters',
  })
  counters: Record<string, number>;
  @ApiProperty({ type: () => [QueueSummaryDto] }) queues: QueueSummaryDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'waiting tasks by reason',
  })
  waiting: Record<string, number>;
  @ApiProperty({ type: () => [NodeViewDto] }) nodes: NodeViewDto[];
  @ApiProperty({ type: () => [HistorySampleDto] }) history: HistorySampleDto[];
}
