import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { AuthRateLimited } from '../../caching';
import { Public, RequirePermission } from '../auth/access.decorators';
import { ClientInfo } from '../auth/auth.service';
import { Client } from '../auth/client-info.decorator';
import {
  AcceptInvitationDto,
  AcceptedInvitationChallengeView,
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
  @ApiExtraModels(AcceptedInvitationView, AcceptedInvitationChallengeView)
  @ApiOkResponse({
    description:
      'Joined and signed in; an account with MFA gets a sign-in challenge instead of a session (finish at POST /v1/auth/login/mfa).',
    schema: { oneOf: [{ $ref: getSchemaPath(AcceptedInvitationView) }, { $ref: getSchemaPath(AcceptedInvitationChallengeView) }] },
  })
  @ApiNotFoundResponse({ description: 'Unknown, revoked, expired or used token.' })
  @ApiForbiddenResponse({
    description:
      'The organization requires single sign-on for this email (`SSO_REQUIRED`, with the sign-in URL in `detail` and a `Link` header): join by signing in through SSO.',
  })
  accept(
    @Body() body: AcceptInvitationDto,
    @Client() client: ClientInfo,
  ): Promise<AcceptedInvitationView | AcceptedInvitationChallengeView> {
    return this.invitations.accept(body, client);
  }
}
