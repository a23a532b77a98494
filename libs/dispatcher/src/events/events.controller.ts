import {
  Controller,
  Get,
  Headers,
  HttpStatus,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { RequireScope, InvalidInputError, parseEventId, type ChangeEvent } from '@switchyard/core';
import type { Request, Response } from 'express';
import { ErrorResponseDto } from '../http/error-response.dto';
import { ChangeEventDto } from './change-event.dto';
import { EventFeed, type EventSink } from './event-feed';
import { EventFilterDto } from './event-filter.dto';

/** Bytes a slow client may have unsent before it is dropped (it resumes with Last-Event-ID). */
const MAX_UNSENT_BYTES = 1 << 20;
const KEEPALIVE_MS = 15_000;

@ApiTags('events')
@ApiExtraModels(ChangeEventDto)
@Controller('events')
export class EventsController {
  constructor(private readonly feed: EventFeed) {}

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'Server-sent events of task and node changes',
    description:
      'A `text/event-stream`: `event: task|node`, `id: <event id>`, `data: <ChangeEvent JSON>`. Reconnect with ' +
      'the `Last-Event-ID` header to miss nothing still in the bounded stream; when the stream no longer holds ' +
      'everything after that id, an `event: gap` comes first.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this event id' })
  @ApiOkResponse({
    description: 'event stream; each data line is a ChangeEvent',
    content: { 'text/event-stream': { schema: { $ref: getSchemaPath(ChangeEventDto) } } },
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'a bad filter or Last-Event-ID' })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'EVENTS_MAX_CLIENTS reached, or Redis unavailable',
  })
  async stream(
    @Query() filter: EventFilterDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const resumeFrom = filter.after ?? lastEventId;
    const after = resumeFrom === undefined || resumeFrom === '' ? null : parseEventId(resumeFrom);
    if (resumeFrom !== undefined && resumeFrom !== '' && after === null) {
      throw new InvalidInputError(`Last-Event-ID "${resumeFrom.slice(0, 64)}" is not an event id`);
    }
    if (this.feed.full) {
      res.setHeader('Retry-After', '5');
      throw new ServiceUnavailableException({
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'too_many_event_clients',
        message:
          'this dispatcher serves its most event clients at once (EVENTS_MAX_CLIENTS); retry later',
      });
    }
    // the start position is fixed before the answer starts: a change committed after the client
    // sees the response headers is always delivered
    const from = after ?? (await this.feed.now());
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');

    let closed = false;
    const sink: EventSink = {
      wants: (e) =>
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.taskId === undefined || (e.kind !== 'node' && e.subject === filter.taskId)) &&
        (filter.type === undefined || (e.kind !== 'node' && e.type === filter.type)),
      write: (events) => {
        if (closed) return false;
        res.write(events.map(formatEvent).join(''));
        return res.writableLength <= MAX_UNSENT_BYTES;
      },
      gap: (oldest) => {
        if (!closed) res.write(`event: gap\ndata: ${JSON.stringify({ oldestKept: oldest })}\n\n`);
      },
      close: () => {
        if (!closed) res.end();
        closed = true;
      },
    };
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    let unsubscribe: (() => void) | undefined;
    req.on('close', () => {
      closed = true;
      clearInterval(keepalive);
      unsubscribe?.();
    });
    try {
      unsubscribe = await this.feed.subscribe(sink, from, after !== null);
      if (closed) unsubscribe();
    } catch (err) {
      clearInterval(keepalive);
      res.end(`event: error\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
    }
  }
}

function formatEvent(e: ChangeEvent): string {
  return `id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`;
}
