import { Body, Controller, Delete, Get, Headers, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { CachedResponse } from '../../caching';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { IfMatchHeader } from '../records-cache';
import { ActivitiesService } from './activities.service';
import { ActivityPage, ActivityView, CreateActivityDto, ListActivitiesQuery, UpdateActivityDto } from './dto/activity.dto';

@ApiTags('Activities')
@Controller('v1')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Get('contacts/:id/activities')
  @CachedResponse({ resources: ['activities', 'contacts'] })
  @Endpoint({
    operationId: 'listContactActivities',
    summary: "A contact's activities",
    permission: 'contacts:read',
    ok: ActivityPage,
    notFound: 'No such contact in this organization.',
  })
  list(@UuidParam('id') contactId: string, @Query() query: ListActivitiesQuery): Promise<ActivityPage> {
    return this.activities.listForContact(contactId, query);
  }

  @Post('contacts/:id/activities')
  @Idempotent()
  @Endpoint({
    operationId: 'createActivity',
    summary: 'Record an activity with a contact',
    permission: 'contacts:write',
    created: ActivityView,
    notFound: 'No such contact in this organization.',
  })
  create(@UuidParam('id') contactId: string, @Body() body: CreateActivityDto): Promise<ActivityView> {
    return this.activities.create(contactId, body);
  }

  @Get('activities/:id')
  @Endpoint({
    operationId: 'getActivity',
    summary: 'Get an activity',
    permission: 'contacts:read',
    ok: ActivityView,
    notFound: 'No such activity in this organization (`ACTIVITY_NOT_FOUND`).',
  })
  get(@UuidParam('id') id: string): Promise<ActivityView> {
    return this.activities.get(id);
  }

  @Patch('activities/:id')
  @IfMatchHeader()
  @Endpoint({
    operationId: 'updateActivity',
    summary: 'Update an activity',
    permission: 'contacts:write',
    ok: ActivityView,
    notFound: 'No such activity in this organization.',
    preconditionFailed: 'If-Match does not match the current version.',
  })
  update(@UuidParam('id') id: string, @Body() body: UpdateActivityDto, @Headers('if-match') ifMatch?: string): Promise<ActivityView> {
    return this.activities.update(id, body, ifMatch);
  }

  @Delete('activities/:id')
  @IfMatchHeader()
  @Endpoint({
    operationId: 'deleteActivity',
    summary: 'Delete an activity',
    permission: 'contacts:write',
    noContent: true,
    notFound: 'No such activity in this organization.',
    preconditionFailed: 'If-Match does not match the current version.',
  })
  remove(@UuidParam('id') id: string, @Headers('if-match') ifMatch?: string): Promise<void> {
    return this.activities.remove(id, ifMatch);
  }
}
