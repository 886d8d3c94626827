import type { OpenAPIObject } from '@nestjs/swagger';
import { dump } from 'js-yaml';
import { toPostmanCollection } from './postman';

/** The three published documents, byte for byte as the server serves them and `npm run docs:export` writes them. */
export interface RenderedDocs {
  readonly json: string;
  readonly yaml: string;
  readonly postman: string;
}

export const DOC_FILES = { json: 'openapi.json', yaml: 'openapi.yaml', postman: 'postman.json' } as const satisfies Record<
  keyof RenderedDocs,
  string
>;

export function renderDocs(document: OpenAPIObject): RenderedDocs {
  const json = `${JSON.stringify(document, null, 2)}\n`;
  // Through JSON, so the YAML holds exactly what the JSON holds (no undefined, no class instances).
  const plain = JSON.parse(json) as OpenAPIObject;
  return {
    json,
    yaml: dump(plain, { noRefs: true, lineWidth: -1, sortKeys: false }),
    postman: `${JSON.stringify(toPostmanCollection(plain), null, 2)}\n`,
  };
}
