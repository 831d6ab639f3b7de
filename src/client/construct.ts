/**
 * Make an instance of a facade class whose constructor is private: the
 * classes are public, but how they are wired (the connection, the resource)
 * is not, so their published types show `private constructor()` and no
 * internal type. Each class file wraps this in a typed `create...` function.
 */
export function construct<T>(cls: { prototype: T }, ...args: unknown[]): T {
  return Reflect.construct(cls as unknown as new (...a: unknown[]) => T, args);
}
