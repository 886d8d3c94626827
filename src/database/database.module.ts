import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../config';
import { MigrationStatus } from './migration-status';
import { OrmModel, createOrmOptions } from './orm-options';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(model: OrmModel): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRootAsync({
          driver: PostgreSqlDriver,
          inject: [APP_CONFIG],
          // No per-request ORM context middleware: services fork the entity manager where they need
          // a unit of work (see shared/PERFORMANCE.md for what the middleware costs).
          useFactory: (config: ResolvedConfig) => ({ ...createOrmOptions(config, model, 'runtime'), registerRequestContext: false }),
        }),
      ],
      providers: [MigrationStatus],
      exports: [MigrationStatus],
    };
  }
}
