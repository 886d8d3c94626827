/**
 * The real app in a child process with error tracking and tracing started first, the way main.ts
 * starts it (src/instrument before anything else is loaded), plus the test probe routes and one
 * authenticated route that fails with personal data and a credential in its error message.
 * Prints `listening <port>` once it accepts connections. Logs go to stdout at TEST_LOG_LEVEL.
 */
import '../../../src/instrument';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { IsEmail, IsString } from 'class-validator';
import { MaxLength } from '@app/http';
import { Authenticated } from '../../../src/tenancy';
import { ProbeModule } from '../../support/probe.module';
import { serveChildApp } from '../../support/serve-child-app';

class FailDto {
  @IsEmail()
  readonly email!: string;

  @IsString()
  @MaxLength(200)
  readonly password!: string;

  @IsString()
  @MaxLength(200)
  readonly apiKey!: string;
}

@Controller('test-monitoring')
class MonitoringProbeController {
  /** Fails after authentication, echoing body values (an email and an `atr_` key) in the message. */
  @Post('fail')
  @Authenticated()
  fail(@Body() body: FailDto): never {
    throw new Error(`Could not sync contact ${body.email} using key ${body.apiKey}`);
  }
}

@Module({ controllers: [MonitoringProbeController] })
class MonitoringProbeModule {}

serveChildApp([ProbeModule, MonitoringProbeModule]);
