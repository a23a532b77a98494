import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TASK_STATES } from '@switchyard/core';
import { RetryPolicyDto } from './submit-task.dto';

const ATTEMPT_OUTCOMES = [
  'succeeded',
  'failed',
  'timeout',
  'lost',
  'handed-back',
  'cancelled',
  'expired',
];

export class TaskRequirementsViewDto {
  @ApiProperty() slots: number;
  @ApiProperty({ description: 'millicores' }) cpu: number;
  @ApiProperty() memoryMb: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'label selector' })
  labels: object;
}

export class TaskErrorDto {
  @ApiProperty() message: string;
  @ApiPropertyOptional() code?: string;
  @ApiProperty() retryable: boolean;
}

export class AttemptDto {
  @ApiProperty({ description: 'lease sequence number of the attempt' }) lease: number;
  @ApiProperty() node: string;
  @ApiProperty() incarnation: number;
  @ApiProperty({ description: 'epoch ms' }) assignedAt: number;
  @ApiPropertyOptional() startedAt?: number;
  @ApiPropertyOptional() endedAt?: number;
  @ApiPropertyOptional({ enum: ATTEMPT_OUTCOMES }) outcome?: string;
  @ApiPropertyOptional() error?: string;
}

export class TaskLeaseDto {
  @ApiProperty() seq: number;
  @ApiProperty() node: string;
  @ApiProperty() incarnation: number;
}

/** GET /tasks/:id. Times are epoch ms. */
export class TaskViewDto {
  @ApiProperty({ description: 'ULID', example: '01J9Z6Q4X1W2E3R4T5Y6U7I8O9' }) id: string;
  @ApiProperty() type: string;
  @ApiProperty({ enum: TASK_STATES }) state: string;
  @ApiPropertyOptional({ description: 'the submitted JSON value' }) payload?: unknown;
  @ApiProperty() priority: number;
  @ApiProperty({ type: () => TaskRequirementsViewDto }) requirements: TaskRequirementsViewDto;
  @ApiProperty() maxAttempts: number;
  @ApiProperty() timeoutMs: number;
  @ApiProperty({ description: 'attempts counted against maxAttempts' }) attempts: number;
  @ApiPropertyOptional({ type: () => TaskLeaseDto }) lease?: TaskLeaseDto;
  @ApiPropertyOptional() node?: string;
  @ApiProperty() createdAt: number;
  @ApiProperty() updatedAt: number;
  @ApiPropertyOptional() queuedAt?: number;
  @ApiPropertyOptional() runAt?: number;
  @ApiPropertyOptional() startedAt?: number;
  @ApiPropertyOptional() finishedAt?: number;
  @ApiPropertyOptional({ description: 'the handler result (succeeded tasks)' }) result?: unknown;
  @ApiPropertyOptional({ type: () => TaskErrorDto }) error?: TaskErrorDto;
  @ApiProperty({ type: () => [AttemptDto], description: 'attempt history, oldest first (bounded)' })
  history: AttemptDto[];
  @ApiPropertyOptional() idempotencyKey?: string;
  @ApiPropertyOptional() strategy?: string;
  @ApiPropertyOptional() affinityKey?: string;
  @ApiPropertyOptional({ type: [String] }) dependsOn?: string[];
  @ApiPropertyOptional({ type: () => RetryPolicyDto }) retry?: RetryPolicyDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: '{ percent, data }',
  })
  progress?: object;
  @ApiPropertyOptional({
    description: 'why a ready task waits',
    example: 'no node handles type echo',
  })
  waitingReason?: string;
}

export class SubmittedTaskDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['queued', 'delayed'] }) state: string;
  @ApiProperty() type: string;
  @ApiProperty({ example: true }) created: boolean;
}

export class BatchEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: TASK_STATES }) state: string;
  @ApiProperty({ description: 'false when an idempotency key matched an earlier task' })
  created: boolean;
}

export class BatchSubmittedDto {
  @ApiProperty({ type: () => [BatchEntryDto] }) tasks: BatchEntryDto[];
}
