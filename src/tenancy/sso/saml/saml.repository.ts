import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../../tenant-boundary/tenant-database';
import { SsoConnection } from '../entities/sso-connection.entity';

/**
 * The one read of SAML that happens before any organization is known: a connection by its id, for
 * its public service-provider metadata. Row-level security shows SAML connections, and only those,
 * to a scope without an org (they hold no secret).
 */
@Injectable()
export class SamlRepository {
  constructor(private readonly tenantDb: TenantDatabase) {}

  samlConnection(id: string): Promise<SsoConnection | null> {
    return this.tenantDb.global((em) => em.findOne(SsoConnection, { id, type: 'saml' }, { filters: { tenant: false } }));
  }
}
