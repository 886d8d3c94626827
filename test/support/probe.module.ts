import { EntityManager } from '@mikro-orm/postgresql';
import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { MaxLength } from '@app/http';
import { Type } from 'class-transformer';
import { Public } from '../../src/tenancy';

class EchoDto {
  @IsString()
  @MaxLength(50)
  readonly name!: string;
}

class SlowQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  readonly ms: number = 1_000;
}

/** Routes that exist only in tests: a JSON body to break, unhandled errors, a slow request. */
@Public()
@Controller('test-probe')
class ProbeController {
  constructor(private readonly em: EntityManager) {}

  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('SELECT secret FROM internals WHERE password = hunter2');
  }

  /** A real PostgreSQL error whose statement carries personal data, as a failed insert's would. */
  @Get('db-error')
  async dbError(): Promise<never> {
    await this.em.getConnection().execute(`select 'ada.lovelace@example.com'::uuid, 'Ada Lovelace' as name`);
    throw new Error('unreachable: the statement above fails');
  }

  @Get('slow')
  async slow(@Query() query: SlowQuery): Promise<{ waitedMs: number }> {
    await new Promise((resolve) => setTimeout(resolve, query.ms));
    return { waitedMs: query.ms };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
