import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Session } from '../../sessions/session-store';

export class SessionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The organization the session is bound to.' })
  organizationId!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  lastSeenAt!: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;

  @ApiPropertyOptional({ example: '203.0.113.7' })
  ip?: string;

  @ApiPropertyOptional({ example: 'curl/8.5.0' })
  userAgent?: string;

  @ApiProperty({ description: 'True for the session making this request.' })
  current!: boolean;

  static of(session: Session, currentId: string | undefined): SessionView {
    return {
      id: session.id,
      organizationId: session.orgId,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      expiresAt: session.expiresAt,
      ip: session.ip,
      userAgent: session.userAgent,
      current: session.id === currentId,
    };
  }
}

export class SessionPage {
  @ApiProperty({ type: [SessionView] })
  data!: SessionView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
