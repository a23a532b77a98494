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
import type { ScheduleView } from '@switchyard/core';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { ScheduleService } from './schedule.service';

@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  @Post()
  create(@Body() dto: CreateScheduleDto): Promise<ScheduleView> {
    return this.schedules.create(dto);
  }

  @Get()
  async list(): Promise<{ schedules: ScheduleView[] }> {
    return { schedules: await this.schedules.list() };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async delete(@Param('id') id: string): Promise<void> {
    if (!(await this.schedules.delete(id)))
      throw new NotFoundException(`schedule ${id} does not exist`);
  }
}
