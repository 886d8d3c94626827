import { EntityManager, LockMode, ref } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page, assertIfMatch, decodeCursor, etagOf, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { RecordsCache } from '../records-cache';
import { activityNotFound, contactNotFound, rejectNulls } from '../crm-errors';
import { Activity } from '../entities/activity.entity';
import { Contact } from '../entities/contact.entity';
import { ActivityView, CreateActivityDto, ListActivitiesQuery, UpdateActivityDto } from './dto/activity.dto';

export function presentActivity(activity: Activity): ActivityView {
  return {
    id: activity.id,
    contactId: activity.contact.id,
    type: activity.type,
    subject: activity.subject,
    body: activity.body ?? null,
    occurredAt: activity.occurredAt.toISOString(),
    author: { type: activity.authorType, id: activity.authorId },
    version: activity.version,
    createdAt: activity.createdAt.toISOString(),
    updatedAt: activity.updatedAt.toISOString(),
  };
}

@Injectable()
export class ActivitiesService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly recordsCache: RecordsCache,
  ) {}

  async create(contactId: string, input: CreateActivityDto): Promise<ActivityView> {
    const principal = this.context.requireTenant().principal;
    return this.tenantDb.transaction(async (em) => {
      const contact = await em.findOne(Contact, { id: contactId }, { fields: ['id'] });
      if (!contact) throw contactNotFound();
      const activity = new Activity();
      activity.contact = ref(contact);
      activity.type = input.type;
      activity.subject = input.subject;
      activity.body = input.body ?? null;
      activity.occurredAt = input.occurredAt;
      activity.authorType = principal.type === 'api_key' ? 'api_key' : 'user';
      activity.authorId = principal.id;
      em.persist(activity);
      await em.flush();
      await this.recordsCache.invalidateAfterCommit('activities');
      return presentActivity(activity);
    });
  }

  /** Newest first would need another index; id (UUIDv7) order is creation order and keyset-friendly. */
  async listForContact(contactId: string, query: ListActivitiesQuery): Promise<Page<ActivityView>> {
    const after = decodeCursor(query.cursor);
    const rows = await this.tenantDb.transaction(
      async (em) => {
        if ((await em.count(Contact, { id: contactId })) === 0) throw contactNotFound();
        return em.find(
          Activity,
          { contact: contactId, ...(after ? { id: { $gt: after } } : {}), ...(query.type ? { type: query.type } : {}) },
          { orderBy: { id: 'asc' }, limit: query.limit + 1 },
        );
      },
      { replica: true },
    );
    return toPage(rows, query.limit, presentActivity);
  }

  async get(id: string): Promise<ActivityView> {
    return this.tenantDb.transaction(async (em) => presentActivity(await this.load(em, id)));
  }

  async update(id: string, changes: UpdateActivityDto, ifMatch?: string): Promise<ActivityView> {
    rejectNulls(changes, ['type', 'subject', 'occurredAt']);
    return this.tenantDb.transaction(async (em) => {
      const activity = await this.load(em, id, true);
      assertIfMatch(ifMatch, etagOf(presentActivity(activity)));
      if (changes.type !== undefined) activity.type = changes.type;
      if (changes.subject !== undefined) activity.subject = changes.subject;
      if (changes.body !== undefined) activity.body = changes.body;
      if (changes.occurredAt !== undefined) activity.occurredAt = changes.occurredAt;
      await em.flush();
      await this.recordsCache.invalidateAfterCommit('activities');
      return presentActivity(activity);
    });
  }

  async remove(id: string, ifMatch?: string): Promise<void> {
    await this.tenantDb.transaction(async (em) => {
      const activity = await this.load(em, id, true);
      assertIfMatch(ifMatch, etagOf(presentActivity(activity)));
      await em.nativeDelete(Activity, { id });
      await this.recordsCache.invalidateAfterCommit('activities');
    });
  }

  /** `forUpdate` locks the row from the If-Match check to the write. */
  private async load(em: EntityManager, id: string, forUpdate = false): Promise<Activity> {
    const activity = await em.findOne(Activity, { id }, forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!activity) throw activityNotFound();
    return activity;
  }
}
