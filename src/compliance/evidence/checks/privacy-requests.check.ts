import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EvidencePeriod } from '../evidence.types';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, periodParams, resultOf } from '../evidence-check';
import { EvidenceChecksRepository, PrivacyRequestTimingRow } from './evidence-checks.repository';

type Timeliness = 'on-time' | 'late' | 'open' | 'overdue' | 'rejected';

/**
 * P5.1 (data subjects can access their personal information) and P5.2 (they can have it
 * corrected or erased): requests received in the period, completed in it, or still open past
 * their due date at its end, each judged against its deadline (the extended one if extended):
 * completed on or before it is on time; completed after it is late; open past it at the end of
 * the period is overdue. Rejected requests are counted, not judged (the schema keeps no time of
 * rejection). Late and overdue requests are the exceptions.
 *
 * Rows name the request by id and the subject only by `subject_hash` (per-org SHA-256): never the
 * subject's email, which evidence must not hold.
 */
@Injectable()
export class PrivacyRequestsCheck implements EvidenceCheck {
  readonly id = 'privacy-requests';
  readonly version = 1;
  readonly criteria = ['P5.1', 'P5.2'];
  readonly description = 'Data-subject requests received, completed or overdue in the period, judged against their due dates';

  constructor(private readonly repository: EvidenceChecksRepository) {}

  async collect(orgId: string, period: EvidencePeriod, em: EntityManager): Promise<CheckOutcome> {
    const requests = await this.repository.privacyRequests(em, orgId, period);
    const population: EvidenceRow[] = requests.map((request) => ({
      id: request.id,
      type: request.type,
      status: request.status,
      subjectHash: request.subject_hash,
      receivedAt: isoOf(request.received_at),
      dueAt: isoOf(request.effective_due_at),
      extended: request.extended,
      completedAt: isoOf(request.completed_at),
      timeliness: timelinessOf(request, period.end),
    }));
    const exceptions = population
      .filter((row) => row.timeliness === 'late' || row.timeliness === 'overdue')
      .map((row) => ({
        id: row.id,
        type: row.type,
        dueAt: row.dueAt,
        completedAt: row.completedAt,
        reason: row.timeliness === 'late' ? 'completed after its due date' : 'open past its due date',
      }));
    const count = (timeliness: Timeliness) => population.filter((row) => row.timeliness === timeliness).length;
    return {
      source: 'postgresql:privacy_requests',
      queryParams: { orgId, ...periodParams(period) },
      population,
      exceptions,
      summary: {
        received: requests.filter((request) => request.received_at >= period.start).length,
        completed: count('on-time') + count('late'),
        completedOnTime: count('on-time'),
        completedLate: count('late'),
        open: count('open'),
        overdue: count('overdue'),
        rejected: count('rejected'),
        extended: requests.filter((request) => request.extended).length,
      },
      result: resultOf(exceptions),
    };
  }
}

/** Judged as of the end of the period: a request completed after it counts as still open. */
function timelinessOf(request: PrivacyRequestTimingRow, asOf: Date): Timeliness {
  const due = request.effective_due_at;
  if (request.status === 'rejected') return 'rejected';
  if (request.completed_at !== null && request.completed_at < asOf) {
    return request.completed_at <= due ? 'on-time' : 'late';
  }
  return due < asOf ? 'overdue' : 'open';
}
