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
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsLabelSelector } from './label-selector.validator';
import type { LabelSelector } from '@switchyard/core';

export const TASK_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;
const TASK_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export class RetryPolicyDto {
  @IsIn(['fixed', 'exponential'])
  backoff: 'fixed' | 'exponential';

  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600 * 1000)
  baseMs: number;

  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600 * 1000)
  capMs: number;

  @IsNumber()
  @Min(0)
  @Max(1)
  jitter: number;
}

export class RequirementsDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  slots?: number;

  /** Millicores. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  cpu?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  memoryMb?: number;

  @IsOptional()
  @IsLabelSelector()
  labels?: LabelSelector;
}

export class SubmitTaskDto {
  @IsString()
  @Matches(TASK_TYPE_PATTERN, { message: 'type must be 1-64 characters of letters, digits, . _ : -' })
  type: string;

  /** Any JSON value; its encoded size is bounded by MAX_PAYLOAD_BYTES. */
  @Allow()
  payload?: unknown;

  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RequirementsDto)
  requirements?: RequirementsDto;

  @IsOptional()
  @IsInt()
  @Min(1)
  maxAttempts?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  timeoutMs?: number;

  @IsOptional()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'idempotencyKey must be 1-128 printable ASCII characters' })
  idempotencyKey?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  strategy?: string;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  affinityKey?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365 * 24 * 3600 * 1000)
  delayMs?: number;

  /** Epoch milliseconds. */
  @IsOptional()
  @IsInt()
  @Min(0)
  runAt?: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retry?: RetryPolicyDto;

  /** Ids of tasks that must succeed first (at most MAX_DEPENDS_ON, checked by the service). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique({ message: 'dependsOn must not list a task twice' })
  @Matches(TASK_ID_PATTERN, { each: true, message: 'dependsOn must hold task ids (26-character ULIDs)' })
  dependsOn?: string[];
}

export class SubmitBatchDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => SubmitTaskDto)
  tasks: SubmitTaskDto[];
}
