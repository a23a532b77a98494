import { ApiProperty } from '@nestjs/swagger';

export class ClusterLeaseDto {
  @ApiProperty() expiresInMs: number;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class ClusterDispatcherDto {
  @ApiProperty() id: string;
  @ApiProperty() host: string;
  @ApiProperty() pid: number;
  @ApiProperty({ description: 'HTTP port it listens on (0 until it listens)' }) httpPort: number;
  @ApiProperty({ description: 'epoch ms' }) startedAt: number;
  @ApiProperty({ description: 'last registry heartbeat, epoch ms' }) lastSeenAt: number;
  @ApiProperty() leader: boolean;
  @ApiProperty({ description: 'the dispatcher that answered' }) self: boolean;
}

/** GET /cluster: the dispatchers, which one leads, the epoch and when the lease expires. */
export class ClusterOverviewDto {
  @ApiProperty({ description: 'the dispatcher that answered' }) self: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'leading dispatcher, null while the lease is free',
  })
  leader: string | null;
  @ApiProperty({
    description: 'epoch of the current lease; while it is free, the last one granted',
  })
  epoch: number;
  @ApiProperty({ type: () => ClusterLeaseDto, nullable: true }) lease: ClusterLeaseDto | null;
  @ApiProperty({ type: () => [ClusterDispatcherDto] }) dispatchers: ClusterDispatcherDto[];
}
