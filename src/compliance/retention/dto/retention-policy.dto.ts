import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { RETENTION_CATEGORY_NAMES, RetentionAction, RetentionCategory } from '../retention-categories';

const ACTIONS: readonly RetentionAction[] = ['delete', 'anonymise'];

export class SetRetentionPolicyDto {
  @ApiProperty({ minimum: 1, maximum: 36500, example: 730, description: 'How long data of the category is kept, in days.' })
  @IsInt()
  @Min(1)
  @Max(36500)
  readonly durationDays!: number;

  @ApiProperty({ enum: ACTIONS, example: 'delete', description: 'What happens after that; each category allows some actions.' })
  @IsIn(ACTIONS)
  readonly action!: RetentionAction;
}

export class RetentionPolicyView {
  @ApiProperty({ enum: RETENTION_CATEGORY_NAMES, example: 'activities' })
  category!: RetentionCategory;

  @ApiProperty({ example: 'Activities (notes, calls, emails, meetings) by the time they occurred' })
  description!: string;

  @ApiProperty({ example: 1095 })
  durationDays!: number;

  @ApiProperty({ enum: ACTIONS, example: 'delete' })
  action!: RetentionAction;

  @ApiProperty({ description: 'True while the organization has not set its own policy for the category.' })
  isDefault!: boolean;

  @ApiProperty({ enum: ACTIONS, isArray: true, example: ['delete', 'anonymise'] })
  allowedActions!: RetentionAction[];

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the organization last set it; null for the default.',
  })
  updatedAt!: string | null;
}

export class RetentionPolicyList {
  @ApiProperty({ type: [RetentionPolicyView], description: 'Every category, in a fixed order.' })
  data!: RetentionPolicyView[];
}

export class RetentionPreviewCategory {
  @ApiProperty({ enum: RETENTION_CATEGORY_NAMES, example: 'activities' })
  category!: RetentionCategory;

  @ApiProperty({ enum: ACTIONS, example: 'delete' })
  action!: RetentionAction;

  @ApiProperty({ example: 1095 })
  durationDays!: number;

  @ApiProperty({ format: 'date-time', description: 'Data older than this is past retention.' })
  cutoff!: string;

  @ApiProperty({ example: 42, description: 'Rows the next run would delete or anonymise (legal holds already excluded).' })
  count!: number;

  @ApiPropertyOptional({
    example: 7,
    description: 'inactive_contacts with action delete: activities of those contacts, deleted with them.',
  })
  cascadedActivities?: number;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Active legal holds that keep some or all of this category (organization, category or contact holds).',
  })
  heldBy?: string[];
}

export class RetentionPreview {
  @ApiProperty({ format: 'date-time' })
  generatedAt!: string;

  @ApiProperty({ type: [RetentionPreviewCategory] })
  categories!: RetentionPreviewCategory[];
}
