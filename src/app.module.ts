import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ProblemDetailsFilter, createValidationPipe } from '@app/http';
import { RequestContextModule } from '@app/request-context';
import { CachingModule } from './caching';
import { ComplianceModule } from './compliance';
import { CrmModule } from './crm';
import { IdempotencyModule } from './idempotency';
import { ConfigModule, ResolvedConfig } from './config';
import { DatabaseModule } from './database';
import { MonitoringModule } from './monitoring';
import { ORM_MODEL } from './orm-model';
import { TenancyModule } from './tenancy';

@Module({})
export class AppModule {
  static forRoot(config: ResolvedConfig, extraImports: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RequestContextModule,
        DatabaseModule.forRoot(ORM_MODEL),
        CachingModule,
        TenancyModule,
        IdempotencyModule,
        CrmModule,
        MonitoringModule,
        ComplianceModule,
        ...extraImports,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
