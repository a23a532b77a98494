import { IsInt, Max, Min } from 'class-validator';

/** Payload of the `count` example handler, validated on the worker before it runs. */
export class CountPayload {
  @IsInt()
  @Min(1)
  @Max(10_000)
  steps!: number;

  @IsInt()
  @Min(0)
  @Max(60_000)
  stepMs!: number;
}
