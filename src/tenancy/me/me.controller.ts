import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthRateLimited } from '../../caching';
import { Authenticated } from '../auth/access.decorators';
import { ChangePasswordDto, MeView } from './dto/me.view';
import { MeService } from './me.service';

@ApiTags('Auth')
@Controller('v1/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @Authenticated({ beforeMfa: true })
  @ApiOperation({ operationId: 'getMe', summary: 'The caller: user or API key, organization, role and permissions' })
  @ApiOkResponse({ type: MeView })
  get(): Promise<MeView> {
    return this.me.me();
  }

  @Post('password')
  @HttpCode(204)
  @Authenticated({ sessionOnly: true })
  @AuthRateLimited()
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change your password',
    description: 'Ends your other sessions in every organization.',
  })
  @ApiNoContentResponse()
  changePassword(@Body() body: ChangePasswordDto): Promise<void> {
    return this.me.changePassword(body.currentPassword, body.newPassword);
  }
}
