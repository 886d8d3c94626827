import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ProblemDetailsFilter, createValidationPipe } from '@app/http';
import { RequestContextModule } from '@app/request-context';
import { RedisModule } from './caching';
import { ConfigModule, ResolvedConfig } from './config';
import { DatabaseModule } from './database';
import { HealthModule } from './monitoring';

@Module({})
export class AppModule {
  static forRoot(config: ResolvedConfig, extraImports: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RequestContextModule,
        DatabaseModule,
        RedisModule,
        HealthModule,
        ...extraImports,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
