import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The `data` of one server-sent event (SSE `event:` is the kind, `id:` the event id). */
export class ChangeEventDto {
  @ApiProperty({
    description: 'event id, resumable with Last-Event-ID',
    example: '1732662000000-0.3',
  })
  id: string;

  @ApiProperty({ enum: ['task', 'node', 'progress'] })
  kind: 'task' | 'node' | 'progress';

  @ApiProperty({ description: 'task id or node id' })
  subject: string;

  @ApiProperty({ description: 'new task state or node status', example: 'succeeded' })
  state: string;

  @ApiPropertyOptional({ description: 'task type (task events)' })
  type?: string;

  @ApiPropertyOptional({ description: 'node involved (assigned, running, retry)' })
  node?: string;

  @ApiProperty({ description: 'commit time, epoch ms' })
  at: number;
}
