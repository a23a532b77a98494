import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, ValidateNested } from 'class-validator';
import { NonRetryableError } from '@switchyard/core';
import { validatePayload } from './payload-validator';

class Size {
  @IsInt()
  @Min(1)
  width!: number;
}

class Resize {
  @IsString()
  url!: string;

  @IsInt()
  @Min(1)
  @Max(100)
  quality!: number;

  @ValidateNested()
  @Type(() => Size)
  size!: Size;
}

describe('validatePayload', () => {
  it('returns an instance of the DTO for a valid payload', async () => {
    const out = await validatePayload(Resize, { url: 'a', quality: 80, size: { width: 3 } });
    expect(out).toBeInstanceOf(Resize);
    expect((out as Resize).size).toBeInstanceOf(Size);
  });

  it('rejects an invalid payload with every message, non-retryable', async () => {
    const err = (await validatePayload(Resize, { url: 1, quality: 500, size: { width: 0 } }).catch(
      (e: unknown) => e,
    )) as NonRetryableError;
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('invalid_payload');
    expect(err.message).toContain('url must be a string');
    expect(err.message).toContain('quality must not be greater than 100');
    expect(err.message).toContain('size.width must not be less than 1');
  });

  it('rejects a payload that is not an object', async () => {
    await expect(validatePayload(Resize, [1, 2])).rejects.toThrow('must be a JSON object');
    await expect(validatePayload(Resize, null)).rejects.toThrow('must be a JSON object');
  });
});
