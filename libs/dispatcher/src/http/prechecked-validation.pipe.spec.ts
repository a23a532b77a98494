import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { SubmitTaskDto } from '../tasks/dto/submit-task.dto';
import { PrecheckedValidationPipe, type BodyPrecheck } from './prechecked-validation.pipe';

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, transform: true };
const body: ArgumentMetadata = { type: 'body', metatype: SubmitTaskDto, data: '' };

function pipeWith(precheck: BodyPrecheck): PrecheckedValidationPipe {
  return new PrecheckedValidationPipe(OPTIONS, new Map([[SubmitTaskDto, precheck]]));
}

async function refusal(pipe: ValidationPipe, value: unknown, meta = body): Promise<unknown> {
  const err = await pipe.transform(value, meta).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadRequestException);
  return (err as BadRequestException).getResponse();
}

describe('PrecheckedValidationPipe', () => {
  afterEach(() => jest.restoreAllMocks());

  it('returns what the precheck accepted without running the full pipe', async () => {
    const full = jest.spyOn(ValidationPipe.prototype, 'transform');
    const dto = Object.assign(new SubmitTaskDto(), { type: 'fast' });
    await expect(pipeWith(() => dto).transform({ type: 'fast' }, body)).resolves.toBe(dto);
    expect(full).not.toHaveBeenCalled();
  });

  it('answers a body the precheck declines as the plain ValidationPipe does', async () => {
    const bad = { type: 'x', priority: 5000, extra: true };
    const mine = await refusal(
      pipeWith(() => undefined),
      { ...bad },
    );
    expect(mine).toEqual(await refusal(new ValidationPipe(OPTIONS), { ...bad }));
  });

  it('uses no precheck for arguments other than the body', async () => {
    const precheck = jest.fn(() => new SubmitTaskDto());
    await refusal(pipeWith(precheck), { priority: 1 }, { ...body, type: 'query' });
    expect(precheck).not.toHaveBeenCalled();
  });
});
