import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope, type ScheduleView } from '@switchyard/core';
import { ErrorResponseDto } from '../http/error-response.dto';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { ScheduleListDto, ScheduleViewDto } from './dto/schedule-view.dto';
import { ScheduleIdPipe } from './schedule-id.pipe';
import { ScheduleService } from './schedule.service';

@ApiTags('schedules')
@ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Redis is unavailable' })
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  @Post()
  @RequireScope('schedules:admin')
  @ApiOperation({
    summary:
      'Create a recurring schedule (cron or fixed interval); each tick fires once across dispatchers',
  })
  @ApiCreatedResponse({ type: ScheduleViewDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'bad cron, time zone, interval or task template',
  })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'MAX_SCHEDULES reached' })
  create(@Body() dto: CreateScheduleDto): Promise<ScheduleView> {
    return this.schedules.create(dto);
  }

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({ summary: 'List schedules with their next and last ticks' })
  @ApiOkResponse({ type: ScheduleListDto })
  async list(): Promise<{ schedules: ScheduleView[] }> {
    return { schedules: await this.schedules.list() };
  }

  @Delete(':id')
  @RequireScope('schedules:admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a schedule' })
  @ApiParam({ name: 'id', description: 'schedule id' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'not a schedule id' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'no such schedule' })
  async delete(@Param('id', ScheduleIdPipe) id: string): Promise<void> {
    if (!(await this.schedules.delete(id)))
      throw new NotFoundException(`schedule ${id} does not exist`);
  }
}
