import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { AuthRateLimited } from '../../caching';
import { Public, RequirePermission } from '../auth/access.decorators';
import { ClientInfo } from '../auth/auth.service';
import { Client } from '../auth/client-info.decorator';
import {
  AcceptInvitationDto,
  AcceptedInvitationView,
  CreateInvitationDto,
  CreatedInvitationView,
  InvitationPage,
} from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';

@ApiTags('Members')
@Controller('v1/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @RequirePermission('members:manage')
  @ApiOperation({
    operationId: 'createInvitation',
    summary: 'Invite someone by email with a role',
    description: 'The token is in this response only.',
  })
  @ApiCreatedResponse({ type: CreatedInvitationView })
  @ApiConflictResponse({ description: 'Already a member (`ALREADY_MEMBER`).' })
  create(@Body() body: CreateInvitationDto): Promise<CreatedInvitationView> {
    return this.invitations.create(body.email, body.role);
  }

  @Get()
  @RequirePermission('members:manage')
  @ApiOperation({ operationId: 'listInvitations', summary: 'Invitations of the organization' })
  @ApiOkResponse({ type: InvitationPage })
  list(@Query() query: PageQuery): Promise<InvitationPage> {
    return this.invitations.list(query.limit, query.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('members:manage')
  @ApiOperation({ operationId: 'revokeInvitation', summary: 'Revoke a pending invitation' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No pending invitation with that id.' })
  revoke(@UuidParam('id') id: string): Promise<void> {
    return this.invitations.revoke(id);
  }

  @Post('accept')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiOperation({ operationId: 'acceptInvitation', summary: 'Accept an invitation and sign in to its organization' })
  @ApiOkResponse({ type: AcceptedInvitationView })
  @ApiNotFoundResponse({ description: 'Unknown, revoked, expired or used token.' })
  accept(@Body() body: AcceptInvitationDto, @Client() client: ClientInfo): Promise<AcceptedInvitationView> {
    return this.invitations.accept(body, client);
  }
}
