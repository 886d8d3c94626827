import { SwaggerModule } from '@nestjs/swagger';
import { SWAGGER_MODEL_PROPERTIES as MODEL_PROPERTIES, SWAGGER_MODEL_PROPERTIES_ARRAY as MODEL_PROPERTY_NAMES } from '../platform';
import loadSwaggerMetadata from './swagger-metadata';

type PropertyOptions = Record<string, { type?: unknown }>;
type PluginMetadata = { '@nestjs/swagger'?: { models?: [Promise<Record<string, unknown>>, Record<string, PropertyOptions>][] } };

let loaded: Promise<void> | undefined;

/** Every class the plugin documented, by name: the DTOs whose validators `applyValidatorBounds` reads. */
export const DOCUMENTED_CLASSES = new Map<string, new (...args: never[]) => unknown>();

/**
 * Loads the Swagger CLI plugin's findings (`swagger-metadata.ts`, written by
 * `npm run docs:metadata`), so the document is the same under `nest build` (where the plugin runs),
 * under the SWC-compiled tests and in `npm run docs:export` (where it does not). Once per process.
 */
export function loadPluginMetadata(): Promise<void> {
  loaded ??= (async () => {
    const metadata = (await loadSwaggerMetadata()) as unknown as PluginMetadata;
    await SwaggerModule.loadPluginMetadata(() => Promise.resolve(metadata));
    await alignDesignTypes(metadata);
  })();
  return loaded;
}

/**
 * tsc reflects `string | null` as `String`, SWC as `Object`. `@ApiProperty()` records the
 * reflected type when the class is defined, before this metadata could be loaded, so under SWC a
 * nullable string would be documented as an object. Where the recorded type is that `Object` and
 * the plugin knows better, take the plugin's type, as the compiled build does at definition time.
 * `PartialType(CreateXDto)` and friends copied the recorded types into classes of their own when
 * the file loaded; those take the type the plugin gives the property in the other classes of the
 * same file, when they all agree.
 */
async function alignDesignTypes(metadata: PluginMetadata): Promise<void> {
  for (const [file, classes] of metadata['@nestjs/swagger']?.models ?? []) {
    // Not `exports`: under tsc's CommonJS output that name is the module's own exports object.
    const moduleExports = await file;
    const pluginTypes = new Map<string, unknown[]>();
    for (const properties of Object.values(classes)) {
      for (const [property, options] of Object.entries(properties)) {
        if (options.type !== undefined) pluginTypes.set(property, [...(pluginTypes.get(property) ?? []), options.type]);
      }
    }
    for (const [className, properties] of Object.entries(classes)) {
      if (typeof moduleExports[className] === 'function')
        DOCUMENTED_CLASSES.set(className, moduleExports[className] as new (...args: never[]) => unknown);
      for (
        let prototype = (moduleExports[className] as { prototype?: object } | undefined)?.prototype;
        prototype && prototype !== Object.prototype;
        prototype = Reflect.getPrototypeOf(prototype) ?? undefined
      ) {
        for (const property of ownModelProperties(prototype)) {
          const recorded = Reflect.getOwnMetadata(MODEL_PROPERTIES, prototype, property) as { type?: unknown } | undefined;
          if (recorded?.type !== Object) continue;
          const type = properties[property]?.type ?? agreedType(pluginTypes.get(property) ?? []);
          if (type !== undefined) Reflect.defineMetadata(MODEL_PROPERTIES, { ...recorded, type }, prototype, property);
        }
      }
    }
  }
}

function ownModelProperties(prototype: object): string[] {
  const keys = (Reflect.getOwnMetadata(MODEL_PROPERTY_NAMES, prototype) as unknown[] | undefined) ?? [];
  return keys.filter((key): key is string => typeof key === 'string' && key.startsWith(':')).map((key) => key.slice(1));
}

/** The one type all the plugin's entries give a property (a thunk such as `() => String`, or a type name). */
function agreedType(types: readonly unknown[]): unknown {
  const describe = (type: unknown): string => {
    const value = typeof type === 'function' ? (type as () => unknown)() : type;
    return Array.isArray(value) ? `[${value.map(describe).join()}]` : String((value as { name?: string } | undefined)?.name ?? value);
  };
  return new Set(types.map(describe)).size === 1 ? types[0] : undefined;
}
