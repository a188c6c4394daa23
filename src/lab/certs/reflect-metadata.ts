// @peculiar/x509 uses tsyringe, which refuses to load without a Reflect metadata polyfill
// (reflect-metadata & co. are not dependencies here). tsyringe only calls defineMetadata,
// getMetadata and getOwnMetadata, so this minimal WeakMap-backed version is enough.
// Import this module before '@peculiar/x509'. It leaves an existing polyfill alone.

type Key = string | symbol;
type MetaTarget = object;

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: MetaTarget, property?: Key): void;
  getOwnMetadata(key: unknown, target: MetaTarget, property?: Key): unknown;
  getMetadata(key: unknown, target: MetaTarget, property?: Key): unknown;
}

const R = Reflect as typeof Reflect & Partial<ReflectMetadata>;

if (typeof R.getMetadata !== 'function') {
  const store = new WeakMap<MetaTarget, Map<Key | undefined, Map<unknown, unknown>>>();
  const own = (target: MetaTarget, property: Key | undefined, create: boolean): Map<unknown, unknown> | undefined => {
    let byProperty = store.get(target);
    if (!byProperty) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    let entries = byProperty.get(property);
    if (!entries && create) {
      entries = new Map();
      byProperty.set(property, entries);
    }
    return entries;
  };
  const polyfill: ReflectMetadata = {
    defineMetadata(key, value, target, property) {
      own(target, property, true)?.set(key, value);
    },
    getOwnMetadata(key, target, property) {
      return own(target, property, false)?.get(key);
    },
    getMetadata(key, target, property) {
      // Walks the prototype chain like reflect-metadata does.
      for (let t: MetaTarget | null = target; t !== null; t = Object.getPrototypeOf(t) as MetaTarget | null) {
        const entries = own(t, property, false);
        if (entries?.has(key)) return entries.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, polyfill);
}

export {};
