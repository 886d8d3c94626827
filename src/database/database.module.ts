import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { APP_CONFIG, ResolvedConfig } from '../config';
import { createOrmOptions } from './orm-options';
import { MigrationStatus } from './migration-status';

@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      driver: PostgreSqlDriver,
      inject: [APP_CONFIG],
      // No per-request ORM context middleware: services fork the entity manager where they need
      // a unit of work (see ../../shared/PERFORMANCE.md for what the middleware costs).
      useFactory: (config: ResolvedConfig) => ({ ...createOrmOptions(config), registerRequestContext: false }),
    }),
  ],
  providers: [MigrationStatus],
  exports: [MigrationStatus],
})
export class DatabaseModule {}
