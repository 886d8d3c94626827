import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { CachedResponse } from '../../caching';
import { Idempotent } from '../../idempotency';
import { RequirePermission } from '../../tenancy';
import { IfMatchHeader } from '../records-cache';
import { ActivitiesService } from './activities.service';
import { ActivityPage, ActivityView, CreateActivityDto, ListActivitiesQuery, UpdateActivityDto } from './dto/activity.dto';

@ApiTags('Activities')
@Controller('v1')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Get('contacts/:id/activities')
  @RequirePermission('contacts:read')
  @ApiOperation({ operationId: 'listContactActivities', summary: "A contact's activities" })
  @ApiOkResponse({ type: ActivityPage })
  @CachedResponse({ resources: ['activities', 'contacts'] })
  @ApiNotFoundResponse({ description: 'No such contact in this organization.' })
  list(@UuidParam('id') contactId: string, @Query() query: ListActivitiesQuery): Promise<ActivityPage> {
    return this.activities.listForContact(contactId, query);
  }

  @Post('contacts/:id/activities')
  @RequirePermission('contacts:write')
  @Idempotent()
  @ApiOperation({ operationId: 'createActivity', summary: 'Record an activity with a contact' })
  @ApiCreatedResponse({ type: ActivityView })
  @ApiNotFoundResponse({ description: 'No such contact in this organization.' })
  create(@UuidParam('id') contactId: string, @Body() body: CreateActivityDto): Promise<ActivityView> {
    return this.activities.create(contactId, body);
  }

  @Get('activities/:id')
  @RequirePermission('contacts:read')
  @ApiOperation({ operationId: 'getActivity', summary: 'Get an activity' })
  @ApiOkResponse({ type: ActivityView })
  @ApiNotFoundResponse({ description: 'No such activity in this organization (`ACTIVITY_NOT_FOUND`).' })
  get(@UuidParam('id') id: string): Promise<ActivityView> {
    return this.activities.get(id);
  }

  @Patch('activities/:id')
  @RequirePermission('contacts:write')
  @IfMatchHeader()
  @ApiOperation({ operationId: 'updateActivity', summary: 'Update an activity' })
  @ApiOkResponse({ type: ActivityView })
  @ApiNotFoundResponse({ description: 'No such activity in this organization.' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version.' })
  update(@UuidParam('id') id: string, @Body() body: UpdateActivityDto, @Headers('if-match') ifMatch?: string): Promise<ActivityView> {
    return this.activities.update(id, body, ifMatch);
  }

  @Delete('activities/:id')
  @HttpCode(204)
  @RequirePermission('contacts:write')
  @IfMatchHeader()
  @ApiOperation({ operationId: 'deleteActivity', summary: 'Delete an activity' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such activity in this organization.' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version.' })
  remove(@UuidParam('id') id: string, @Headers('if-match') ifMatch?: string): Promise<void> {
    return this.activities.remove(id, ifMatch);
  }
}
