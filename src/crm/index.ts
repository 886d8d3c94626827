import { Activity } from './entities/activity.entity';
import { Company } from './entities/company.entity';
import { Contact } from './entities/contact.entity';

export { CrmModule } from './crm.module';
export { ACTIVITY_TYPES, ActivityType } from './entities/activity.entity';
export { Activity, Company, Contact };

export const CRM_ENTITIES = [Company, Contact, Activity] as const;
