import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { MaxLength, TrimLowerCase } from '@app/http';

export class ClaimSsoDomainDto {
  @ApiProperty({ example: 'acme.example', maxLength: 253, description: 'An email domain of your organization (IDNs in punycode).' })
  @TrimLowerCase()
  @IsString()
  @MaxLength(253)
  @Matches(/^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/, {
    message: 'domain must be a domain name such as acme.example',
  })
  readonly domain!: string;
}

export class DomainVerificationRecordView {
  @ApiProperty({ example: 'TXT' })
  type!: 'TXT';

  @ApiProperty({ example: '_atrium-verification.acme.example' })
  name!: string;

  @ApiProperty({ example: 'atrium-domain-verification=Q2xhaW0gdG9rZW4gZm9yIGFjbWU' })
  value!: string;
}

export class SsoDomainView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'acme.example' })
  domain!: string;

  @ApiProperty({ enum: ['pending', 'verified'], example: 'pending' })
  status!: 'pending' | 'verified';

  @ApiProperty({ type: DomainVerificationRecordView, description: 'Publish this DNS record, then ask for verification.' })
  verificationRecord!: DomainVerificationRecordView;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  verifiedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class SsoDomainPage {
  @ApiProperty({ type: [SsoDomainView] })
  data!: SsoDomainView[];

  @ApiPropertyOptional({ type: String, nullable: true })
  nextCursor!: string | null;
}
