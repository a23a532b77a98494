import { ApiProperty } from '@nestjs/swagger';

/** Every error answer: `{ statusCode, error, message }` (see DomainExceptionFilter). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request', description: 'error code or HTTP reason' })
  error: string;

  @ApiProperty({
    description: 'what is wrong; validation errors list one message per field',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'type must be 1-64 characters of letters, digits, . _ : -',
  })
  message: string | string[];
}
