import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IfPresent } from './if-present.validator';
import { IsLabelSelector } from './label-selector.validator';
import {
  MAX_CPU,
  MAX_DELAY_MS,
  MAX_MEMORY_MB,
  MAX_PRIORITY,
  MAX_SLOTS,
  TASK_TYPE_PATTERN,
  type LabelSelector,
} from '@switchyard/core';

export const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const TASK_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** The DTOs' own bounds, shared with the submission precheck (submit-task.precheck.ts); the
 * bounds every way of submitting shares come from @switchyard/core (task-bounds.ts). */
export const BACKOFF_KINDS = ['fixed', 'exponential'];
export const MAX_RETRY_DELAY_MS = 7 * 24 * 3600 * 1000;
export const MAX_STRATEGY_LENGTH = 64;
export const MAX_AFFINITY_KEY_LENGTH = 256;
export const MAX_DEPENDS_ON_LIST = 1000;
export const MAX_BATCH_LIST = 100_000;

export class RetryPolicyDto {
  @ApiProperty({ enum: ['fixed', 'exponential'] })
  @IsIn(BACKOFF_KINDS)
  backoff: 'fixed' | 'exponential';

  @ApiProperty({
    minimum: 0,
    maximum: 604800000,
    description: 'first delay (fixed: every delay), ms',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_RETRY_DELAY_MS)
  baseMs: number;

  @ApiProperty({ minimum: 0, maximum: 604800000, description: 'longest delay, ms' })
  @IsInt()
  @Min(0)
  @Max(MAX_RETRY_DELAY_MS)
  capMs: number;

  @ApiProperty({ minimum: 0, maximum: 1, description: 'share of each delay that is random' })
  @IsNumber()
  @Min(0)
  @Max(1)
  jitter: number;
}

export class RequirementsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 1 })
  @IfPresent()
  @IsInt()
  @Min(1)
  @Max(MAX_SLOTS)
  slots?: number;

  /** Millicores. */
  @ApiPropertyOptional({ minimum: 0, maximum: 10000000, default: 0, description: 'millicores' })
  @IfPresent()
  @IsInt()
  @Min(0)
  @Max(MAX_CPU)
  cpu?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100000000, default: 0 })
  @IfPresent()
  @IsInt()
  @Min(0)
  @Max(MAX_MEMORY_MB)
  memoryMb?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      oneOf: [
        { type: 'string' },
        { type: 'object', properties: { in: { type: 'array', items: { type: 'string' } } } },
        { type: 'object', properties: { notIn: { type: 'array', items: { type: 'string' } } } },
      ],
    },
    description: 'label selector: value, {in: [...]} or {notIn: [...]} per key',
    example: { zone: 'eu' },
  })
  @IfPresent()
  @IsLabelSelector()
  labels?: LabelSelector;
}

export class SubmitTaskDto {
  @ApiProperty({ pattern: TASK_TYPE_PATTERN.source, example: 'echo' })
  @IsString()
  @Matches(TASK_TYPE_PATTERN, {
    message: 'type must be 1-64 characters of letters, digits, . _ : -',
  })
  type: string;

  /** Any JSON value; its encoded size is bounded by MAX_PAYLOAD_BYTES. */
  @ApiPropertyOptional({
    description: 'any JSON value, at most MAX_PAYLOAD_BYTES encoded',
    example: { text: 'hello' },
  })
  @Allow()
  payload?: unknown;

  @ApiPropertyOptional({
    minimum: -1000,
    maximum: 1000,
    default: 0,
    description: 'higher goes first',
  })
  @IfPresent()
  @IsInt()
  @Min(-MAX_PRIORITY)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({ type: () => RequirementsDto })
  @IfPresent()
  @IsObject()
  @ValidateNested()
  @Type(() => RequirementsDto)
  requirements?: RequirementsDto;

  @ApiPropertyOptional({
    minimum: 1,
    description:
      'default from TASK_DEFAULT_MAX_ATTEMPTS / RETRY_POLICIES; at most TASK_MAX_ATTEMPTS',
  })
  @IfPresent()
  @IsInt()
  @Min(1)
  maxAttempts?: number;

  @ApiPropertyOptional({
    minimum: 1,
    description: 'default TASK_DEFAULT_TIMEOUT_MS; at most TASK_MAX_TIMEOUT_MS',
  })
  @IfPresent()
  @IsInt()
  @Min(1)
  timeoutMs?: number;

  @ApiPropertyOptional({
    pattern: KEY_PATTERN.source,
    description: 'a repeated key returns the first task (200)',
  })
  @IfPresent()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'idempotencyKey must be 1-128 printable ASCII characters' })
  idempotencyKey?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    description: 'assignment strategy name',
    example: 'least-loaded',
  })
  @IfPresent()
  @IsString()
  @Length(1, MAX_STRATEGY_LENGTH)
  strategy?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 256 })
  @IfPresent()
  @IsString()
  @Length(1, MAX_AFFINITY_KEY_LENGTH)
  affinityKey?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 31536000000,
    description: 'start no sooner than this from now',
  })
  @IfPresent()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  delayMs?: number;

  /** Epoch milliseconds. */
  @ApiPropertyOptional({ minimum: 0, description: 'start no sooner than this time, epoch ms' })
  @IfPresent()
  @IsInt()
  @Min(0)
  runAt?: number;

  @ApiPropertyOptional({ type: () => RetryPolicyDto })
  @IfPresent()
  @IsObject()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retry?: RetryPolicyDto;

  /** Ids of tasks that must succeed first (at most MAX_DEPENDS_ON, checked by the service). */
  @ApiPropertyOptional({
    type: [String],
    description: 'ids of tasks that must succeed first (the task waits blocked)',
  })
  @IfPresent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DEPENDS_ON_LIST)
  @ArrayUnique({ message: 'dependsOn must not list a task twice' })
  @Matches(TASK_ID_PATTERN, {
    each: true,
    message: 'dependsOn must hold task ids (26-character ULIDs)',
  })
  dependsOn?: string[];
}

export class SubmitBatchDto {
  @ApiProperty({
    type: () => [SubmitTaskDto],
    minItems: 1,
    description: 'at most MAX_BATCH_SIZE tasks',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_LIST)
  @ValidateNested({ each: true })
  @Type(() => SubmitTaskDto)
  tasks: SubmitTaskDto[];
}
