import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxDate } from 'class-validator';
import { DateTimeInput, MaxLength, MinLength, PageQuery, Trim, WithinStorableDates } from '@app/http';
import { ACTIVITY_TYPES, ActivityType } from '../../entities/activity.entity';

/** Activities record what happened; a little clock skew is tolerated, the future is not. */
const notInTheFuture = () => new Date(Date.now() + 5 * 60_000);

export class CreateActivityDto {
  @ApiProperty({ enum: ACTIVITY_TYPES, example: 'call' })
  @IsIn(ACTIVITY_TYPES)
  readonly type!: ActivityType;

  @ApiProperty({ example: 'Renewal call', maxLength: 200 })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  readonly subject!: string;

  @ApiPropertyOptional({ example: 'Agreed on a three-year term.', maxLength: 10000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  readonly body?: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T14:30:00Z' })
  @DateTimeInput()
  @WithinStorableDates()
  @MaxDate(notInTheFuture, { message: 'occurredAt cannot be in the future' })
  readonly occurredAt!: Date;
}

export class UpdateActivityDto extends PartialType(CreateActivityDto) {}

export class ListActivitiesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ACTIVITY_TYPES })
  @IsOptional()
  @IsIn(ACTIVITY_TYPES)
  readonly type?: ActivityType;
}

export class ActivityView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  contactId!: string;

  @ApiProperty({ enum: ACTIVITY_TYPES })
  type!: ActivityType;

  @ApiProperty({ example: 'Renewal call' })
  subject!: string;

  @ApiPropertyOptional({ nullable: true, example: 'Agreed on a three-year term.' })
  body!: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ example: { type: 'user', id: '0193a3c2-7b1e-7cc0-8f00-123456789abc' } })
  author!: { type: 'user' | 'api_key'; id: string };

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class ActivityPage {
  @ApiProperty({ type: [ActivityView] })
  data!: ActivityView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
