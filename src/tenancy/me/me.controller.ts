import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuthRateLimited } from '../../caching';
import { Endpoint } from '../auth/endpoint.decorator';
import { ChangePasswordDto, MeView } from './dto/me.view';
import { MeService } from './me.service';

@ApiTags('Auth')
@Controller('v1/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @Endpoint({
    operationId: 'getMe',
    summary: 'The caller: user or API key, organization, role and permissions',
    access: 'authenticated',
    beforeMfa: true,
    ok: MeView,
  })
  get(): Promise<MeView> {
    return this.me.me();
  }

  @Post('password')
  @AuthRateLimited()
  @Endpoint({
    operationId: 'changePassword',
    summary: 'Change your password',
    description: 'Ends your other sessions in every organization.',
    access: 'authenticated',
    sessionOnly: true,
    noContent: true,
  })
  changePassword(@Body() body: ChangePasswordDto): Promise<void> {
    return this.me.changePassword(body.currentPassword, body.newPassword);
  }
}
