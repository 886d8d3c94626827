import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
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

/** Routes that exist only in tests: a JSON body to break, an unhandled error, a slow request. */
@Public()
@Controller('test-probe')
class ProbeController {
  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('SELECT secret FROM internals WHERE password = hunter2');
  }

  @Get('slow')
  async slow(@Query() query: SlowQuery): Promise<{ waitedMs: number }> {
    await new Promise((resolve) => setTimeout(resolve, query.ms));
    return { waitedMs: query.ms };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
