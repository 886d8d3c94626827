/**
 * MikroORM keeps decorator metadata in `globalThis['mikro-orm-metadata']`. With --runInBand every
 * spec file runs in the same process and Jest's environment carries that global over, so the next
 * file would discover entities registered by the previous file's classes (from another VM realm)
 * and fail. Each file starts with an empty store and registers its own.
 */
delete (globalThis as Record<string, unknown>)['mikro-orm-metadata'];
