import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

const reflector = new Reflector();

/**
 * A reader of one route metadata key (handler over controller, like `getAllAndOverride`) that
 * looks each route up once: route metadata never changes after boot, and guards run on every
 * request. Keyed by controller, then handler, so an inherited handler is read per controller.
 */
export function routeMetadataReader<T>(key: string): (context: ExecutionContext) => T | undefined {
  const byController = new WeakMap<object, WeakMap<object, { value: T | undefined }>>();
  return (context) => {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = byController.get(controller);
    if (!byHandler) byController.set(controller, (byHandler = new WeakMap()));
    let entry = byHandler.get(handler);
    if (!entry) byHandler.set(handler, (entry = { value: reflector.getAllAndOverride<T | undefined>(key, [handler, controller]) }));
    return entry.value;
  };
}
