/**
 * Puts the methods of each part (one object per port) on `target`, bound to their part, so a
 * store class is assembled from short per-concern files without a line of delegation per method.
 * The class declares the ports it gains with an interface of the same name.
 */
export function assemble(target: object, ...parts: object[]): void {
  for (const part of parts) {
    for (let proto = Object.getPrototypeOf(part); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const value = (part as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof value !== 'function' || name in target) continue;
        Object.defineProperty(target, name, { value: value.bind(part), enumerable: false, writable: true, configurable: true });
      }
    }
  }
}
