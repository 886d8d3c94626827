/**
 * Every entity the ORM knows, listed explicitly: no folder scanning, so the compiled app,
 * the migration CLI and the SWC-compiled tests discover exactly the same model.
 */
export const ENTITIES: readonly (new (...args: never[]) => object)[] = [];
