import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The terminus health report: overall status and one entry per indicator. */
export class HealthReportDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] })
  status: string;

  @ApiPropertyOptional({
    description: 'indicators that are up',
    type: 'object',
    additionalProperties: true,
  })
  info?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'indicators that are down',
    type: 'object',
    additionalProperties: true,
  })
  error?: Record<string, unknown>;

  @ApiProperty({ description: 'every indicator', type: 'object', additionalProperties: true })
  details: Record<string, unknown>;
}
