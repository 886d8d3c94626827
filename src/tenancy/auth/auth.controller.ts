import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { AuthRateLimited } from '../../caching';
import { MfaLoginDto } from '../mfa/dto/mfa.dto';
import { MfaChallengeView } from '../mfa/dto/mfa.views';
import { SessionTokenView, SignupView } from '../views';
import { WorksInOtherScopes } from '../tenant-boundary/other-scopes';
import { AuthService, ClientInfo } from './auth.service';
import { Client } from './client-info.decorator';
import { LoginDto, SignupDto, SwitchOrganizationDto } from './dto/auth.dto';
import { Endpoint } from './endpoint.decorator';
import { SessionPage } from './dto/session.view';

@ApiTags('Auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('signup')
  @AuthRateLimited()
  @Endpoint({
    operationId: 'signup',
    summary: 'Create an account and its organization',
    description: 'The new user owns the new organization and is signed in to it.',
    access: 'public',
    created: SignupView,
    conflict: 'An account with this email exists already (`EMAIL_TAKEN`).',
  })
  signup(@Body() body: SignupDto, @Client() client: ClientInfo): Promise<SignupView> {
    return this.auth.signup(body, client);
  }

  @Post('login')
  @AuthRateLimited()
  @ApiExtraModels(SessionTokenView, MfaChallengeView)
  @Endpoint({
    operationId: 'login',
    summary: 'Sign in',
    description:
      'Wrong password and unknown email answer the same 401. A user with MFA gets `{mfaRequired: true, challengeToken, expiresAt}` instead of a session: send the challenge with a code to POST /v1/auth/login/mfa.',
    access: 'public',
    ok: {
      description: 'A session, or (a user with MFA) a challenge for the second step.',
      schema: { oneOf: [{ $ref: getSchemaPath(SessionTokenView) }, { $ref: getSchemaPath(MfaChallengeView) }] },
    },
    unauthorized: 'Wrong email or password (`INVALID_CREDENTIALS`), answered alike.',
    forbidden:
      'Not a member of any organization (`FORBIDDEN`), or the email is in a domain whose organization requires single sign-on (`SSO_REQUIRED`, with the sign-in URL in `detail` and a `Link` header).',
  })
  login(@Body() body: LoginDto, @Client() client: ClientInfo): Promise<SessionTokenView | MfaChallengeView> {
    return this.auth.login(body, client);
  }

  @Post('login/mfa')
  @AuthRateLimited()
  @Endpoint({
    operationId: 'completeMfaLogin',
    summary: 'Finish a sign-in with a second factor',
    description:
      'The `challengeToken` of the sign-in answer with the current authenticator `code` or a `recoveryCode` (each recovery code works once). A code is good once: the same code again is refused. Five wrong codes spend the challenge.',
    access: 'public',
    ok: SessionTokenView,
    unauthorized: 'Unknown, used, expired or spent challenge (`MFA_CHALLENGE_INVALID`), or a wrong or used code (`MFA_CODE_INVALID`).',
    conflict:
      "The authenticator's code cannot be checked since the server's encryption key changed (`MFA_FACTOR_UNREADABLE`): use a recovery code with the same challenge.",
  })
  completeMfaLogin(@Body() body: MfaLoginDto, @Client() client: ClientInfo): Promise<SessionTokenView> {
    return this.auth.completeMfaLogin(body, client);
  }

  @Post('logout')
  @Endpoint({
    operationId: 'logout',
    summary: 'End the current session',
    access: 'authenticated',
    sessionOnly: true,
    beforeMfa: true,
    noContent: true,
  })
  logout(): Promise<void> {
    return this.auth.logout();
  }

  @Post('switch-organization')
  @WorksInOtherScopes()
  @Endpoint({
    operationId: 'switchOrganization',
    summary: 'Get a session for another of your organizations',
    description:
      'The current session ends. Open to a session that an organization requiring MFA holds back (its user has not enrolled): ' +
      'the new session answers to the policy of the organization it is for, not of the one it leaves.',
    access: 'authenticated',
    sessionOnly: true,
    // Leaving an organization whose MFA policy holds the session back reads none of its data.
    beforeMfa: true,
    ok: SessionTokenView,
    notFound: 'Not a member of that organization.',
    forbidden: 'Needs a user session (`FORBIDDEN`), or that organization requires single sign-on for your email (`SSO_REQUIRED`).',
  })
  switchOrganization(@Body() body: SwitchOrganizationDto, @Client() client: ClientInfo): Promise<SessionTokenView> {
    return this.auth.switchOrganization(body.organizationId, client);
  }

  @Get('sessions')
  @Endpoint({
    operationId: 'listSessions',
    summary: 'Your active sessions',
    access: 'authenticated',
    sessionOnly: true,
    ok: SessionPage,
  })
  listSessions(@Query() query: PageQuery): Promise<SessionPage> {
    return this.auth.listSessions(query.limit, query.cursor);
  }

  @Delete('sessions/:id')
  @Endpoint({
    operationId: 'revokeSession',
    summary: 'Revoke one of your sessions',
    access: 'authenticated',
    sessionOnly: true,
    noContent: true,
    notFound: 'No such session of yours.',
  })
  revokeSession(@UuidParam('id') id: string): Promise<void> {
    return this.auth.revokeSession(id);
  }
}
