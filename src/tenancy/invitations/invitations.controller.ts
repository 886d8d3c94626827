import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { AuthRateLimited } from '../../caching';
import { ClientInfo } from '../auth/auth.service';
import { Client } from '../auth/client-info.decorator';
import { Endpoint } from '../auth/endpoint.decorator';
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
  @Endpoint({
    operationId: 'createInvitation',
    summary: 'Invite someone by email with a role',
    description: 'The token is in this response only.',
    permission: 'members:manage',
    created: CreatedInvitationView,
    conflict:
      "Already a member (`ALREADY_MEMBER`), or the organization's identity provider deprovisioned this person (`SCIM_DEPROVISIONED`): restore them there.",
  })
  create(@Body() body: CreateInvitationDto): Promise<CreatedInvitationView> {
    return this.invitations.create(body.email, body.role);
  }

  @Get()
  @Endpoint({
    operationId: 'listInvitations',
    summary: 'Invitations of the organization',
    permission: 'members:manage',
    ok: InvitationPage,
  })
  list(@Query() query: PageQuery): Promise<InvitationPage> {
    return this.invitations.list(query.limit, query.cursor);
  }

  @Delete(':id')
  @Endpoint({
    operationId: 'revokeInvitation',
    summary: 'Revoke a pending invitation',
    permission: 'members:manage',
    noContent: true,
    notFound: 'No pending invitation with that id.',
  })
  revoke(@UuidParam('id') id: string): Promise<void> {
    return this.invitations.revoke(id);
  }

  @Post('accept')
  @AuthRateLimited()
  @ApiExtraModels(AcceptedInvitationView, AcceptedInvitationChallengeView)
  @Endpoint({
    operationId: 'acceptInvitation',
    summary: 'Accept an invitation and sign in to its organization',
    access: 'public',
    ok: {
      description:
        'Joined and signed in; an account with MFA gets a sign-in challenge instead of a session (finish at POST /v1/auth/login/mfa).',
      schema: { oneOf: [{ $ref: getSchemaPath(AcceptedInvitationView) }, { $ref: getSchemaPath(AcceptedInvitationChallengeView) }] },
    },
    notFound: 'Unknown, revoked, expired or used token.',
    forbidden:
      'The organization requires single sign-on for this email (`SSO_REQUIRED`, with the sign-in URL in `detail` and a `Link` header): join by signing in through SSO; ' +
      'or its identity provider deprovisioned this account (`SCIM_DEPROVISIONED`, told once the password is right): it restores access, an invitation does not.',
  })
  accept(
    @Body() body: AcceptInvitationDto,
    @Client() client: ClientInfo,
  ): Promise<AcceptedInvitationView | AcceptedInvitationChallengeView> {
    return this.invitations.accept(body, client);
  }
}
