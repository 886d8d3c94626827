import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { PROJECT_ROOT } from './build-info';

/** The Prometheus alert rules shipped with the app, relative to the project root. */
export const ALERT_RULES_PATH = 'docker/prometheus/alerts.yml';

export interface AlertRule {
  readonly group: string;
  readonly alert: string;
  readonly severity: string | null;
  readonly for: string | null;
}

interface RuleFile {
  groups?: { name?: unknown; rules?: { alert?: unknown; for?: unknown; labels?: { severity?: unknown } }[] }[];
}

/** The last parse per path, kept while the file's modification time and size stay the same. */
const parsedRules = new Map<string, { readonly mtimeMs: number; readonly size: number; readonly rules: AlertRule[] }>();

/**
 * The alerting rules in force, read from the rules file Prometheus loads. `null` when the file is
 * absent (an image built without docker/): the evidence then says so instead of claiming none.
 * Parsed once while the file is unchanged: the evidence job asks for every organization.
 */
export async function readAlertRules(path = join(PROJECT_ROOT, ALERT_RULES_PATH)): Promise<AlertRule[] | null> {
  let text: string;
  let mtimeMs: number;
  let size: number;
  try {
    ({ mtimeMs, size } = await stat(path));
    const cached = parsedRules.get(path);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.rules;
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const rules = rulesOf(text);
  parsedRules.set(path, { mtimeMs, size, rules });
  return rules;
}

function rulesOf(text: string): AlertRule[] {
  const parsed = (load(text) ?? {}) as RuleFile;
  return (parsed.groups ?? []).flatMap((group) =>
    (group.rules ?? [])
      .filter((rule) => typeof rule.alert === 'string')
      .map((rule) => ({
        group: String(group.name ?? ''),
        alert: rule.alert as string,
        severity: typeof rule.labels?.severity === 'string' ? rule.labels.severity : null,
        for: typeof rule.for === 'string' ? rule.for : null,
      })),
  );
}
