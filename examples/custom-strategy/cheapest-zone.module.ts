import { Module } from '@nestjs/common';
import { CheapestZoneStrategy } from './cheapest-zone.strategy';

/** Import next to SwitchyardDispatcherModule: the dispatcher discovers the strategy at start. */
@Module({ providers: [CheapestZoneStrategy] })
export class CheapestZoneModule {}
