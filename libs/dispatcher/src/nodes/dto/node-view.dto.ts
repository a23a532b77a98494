import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NODE_STATUSES } from '@switchyard/core';

export class NodeCapacityDto {
  @ApiProperty() slots: number;
  @ApiProperty({ description: 'millicores' }) cpu: number;
  @ApiProperty() memoryMb: number;
}

/** A worker node as the registry knows it. Times are epoch ms. */
export class NodeViewDto {
  @ApiProperty() id: string;
  @ApiProperty() incarnation: number;
  @ApiProperty({ enum: NODE_STATUSES }) status: string;
  @ApiProperty({ type: [String] }) types: string[];
  @ApiProperty({ type: () => NodeCapacityDto }) capacity: NodeCapacityDto;
  @ApiProperty({ type: () => NodeCapacityDto }) used: NodeCapacityDto;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels: Record<
    string,
    string
  >;
  @ApiProperty() hostname: string;
  @ApiProperty() pid: number;
  @ApiProperty() registeredAt: number;
  @ApiProperty() lastHeartbeatAt: number;
  @ApiPropertyOptional() lastCompletionAt?: number;
  @ApiProperty({ description: 'tasks leased to this incarnation' }) inFlight: number;
}

export class NodeListDto {
  @ApiProperty({ type: () => [NodeViewDto] }) nodes: NodeViewDto[];
}
