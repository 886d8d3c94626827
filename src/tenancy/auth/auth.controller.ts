import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiUnauthorizedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { AuthRateLimited } from '../../caching';
import { MfaLoginDto } from '../mfa/dto/mfa.dto';
import { MfaChallengeView } from '../mfa/dto/mfa.views';
import { SessionTokenView, SignupView } from '../views';
import { Authenticated, Public } from './access.decorators';
import { WorksInOtherScopes } from '../tenant-boundary/other-scopes';
import { AuthService, ClientInfo } from './auth.service';
import { Client } from './client-info.decorator';
import { LoginDto, SignupDto, SwitchOrganizationDto } from './dto/auth.dto';
import { SessionPage } from './dto/session.view';

@ApiTags('Auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('signup')
  @Public()
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'signup',
    summary: 'Create an account and its organization',
    description: 'The new user owns the new organization and is signed in to it.',
  })
  @ApiCreatedResponse({ type: SignupView })
  @ApiConflictResponse({ description: 'An account with this email exists already (`EMAIL_TAKEN`).' })
  signup(@Body() body: SignupDto, @Client() client: ClientInfo): Promise<SignupView> {
    return this.auth.signup(body, client);
  }

  @Post('login')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in',
    description:
      'Wrong password and unknown email answer the same 401. A user with MFA gets `{mfaRequired: true, challengeToken, expiresAt}` instead of a session: send the challenge with a code to POST /v1/auth/login/mfa.',
  })
  @ApiExtraModels(SessionTokenView, MfaChallengeView)
  @ApiOkResponse({
    description: 'A session, or (a user with MFA) a challenge for the second step.',
    schema: { oneOf: [{ $ref: getSchemaPath(SessionTokenView) }, { $ref: getSchemaPath(MfaChallengeView) }] },
  })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password (`INVALID_CREDENTIALS`), answered alike.' })
  @ApiForbiddenResponse({
    description:
      'Not a member of any organization (`FORBIDDEN`), or the email is in a domain whose organization requires single sign-on (`SSO_REQUIRED`, with the sign-in URL in `detail` and a `Link` header).',
  })
  login(@Body() body: LoginDto, @Client() client: ClientInfo): Promise<SessionTokenView | MfaChallengeView> {
    return this.auth.login(body, client);
  }

  @Post('login/mfa')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'completeMfaLogin',
    summary: 'Finish a sign-in with a second factor',
    description:
      'The `challengeToken` of the sign-in answer with the current authenticator `code` or a `recoveryCode` (each recovery code works once). A code is good once: the same code again is refused. Five wrong codes spend the challenge.',
  })
  @ApiOkResponse({ type: SessionTokenView })
  @ApiUnauthorizedResponse({
    description: 'Unknown, used, expired or spent challenge (`MFA_CHALLENGE_INVALID`), or a wrong or used code (`MFA_CODE_INVALID`).',
  })
  completeMfaLogin(@Body() body: MfaLoginDto, @Client() client: ClientInfo): Promise<SessionTokenView> {
    return this.auth.completeMfaLogin(body, client);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated({ sessionOnly: true, beforeMfa: true })
  @ApiOperation({ operationId: 'logout', summary: 'End the current session' })
  @ApiNoContentResponse()
  logout(): Promise<void> {
    return this.auth.logout();
  }

  @Post('switch-organization')
  @HttpCode(200)
  @Authenticated({ sessionOnly: true })
  @WorksInOtherScopes()
  @ApiOperation({
    operationId: 'switchOrganization',
    summary: 'Get a session for another of your organizations',
    description: 'The current session ends.',
  })
  @ApiOkResponse({ type: SessionTokenView })
  @ApiNotFoundResponse({ description: 'Not a member of that organization.' })
  @ApiForbiddenResponse({
    description: 'Needs a user session (`FORBIDDEN`), or that organization requires single sign-on for your email (`SSO_REQUIRED`).',
  })
  switchOrganization(@Body() body: SwitchOrganizationDto, @Client() client: ClientInfo): Promise<SessionTokenView> {
    return this.auth.switchOrganization(body.organizationId, client);
  }

  @Get('sessions')
  @Authenticated({ sessionOnly: true })
  @ApiOperation({ operationId: 'listSessions', summary: 'Your active sessions' })
  @ApiOkResponse({ type: SessionPage })
  listSessions(@Query() query: PageQuery): Promise<SessionPage> {
    return this.auth.listSessions(query.limit, query.cursor);
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @Authenticated({ sessionOnly: true })
  @ApiOperation({ operationId: 'revokeSession', summary: 'Revoke one of your sessions' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such session of yours.' })
  revokeSession(@UuidParam('id') id: string): Promise<void> {
    return this.auth.revokeSession(id);
  }
}
