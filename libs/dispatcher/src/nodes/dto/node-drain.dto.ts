import { ApiProperty } from '@nestjs/swagger';

/** POST /nodes/:id/drain. */
export class NodeDrainDto {
  @ApiProperty() node: string;
  @ApiProperty() incarnation: number;
  @ApiProperty({ enum: ['draining'] }) status: 'draining';
}
