/**
 * A dependency loaded when it is first needed instead of when the SDK is
 * imported: importing the SDK and making a client then load only what they
 * use. `load()` imports it once (a failed import is tried again next time);
 * `loaded()` is the module once loaded, so that a caller awaits only when
 * there is something to wait for (`loaded() ?? (await load())`) and
 * otherwise goes on in the same tick.
 *
 * The loaders are `import()` expressions of the package itself, which the
 * CommonJS build turns into `require()` (see tsup.config.ts): each build gets
 * the copy of the package its users' own imports get.
 */
export interface LazyModule<M> {
  load(): Promise<M>;
  loaded(): M | undefined;
}

/** Create the lazy handle of one module; `importModule` is its `import()`. */
export function lazyModule<M>(importModule: () => Promise<M>): LazyModule<M> {
  let module: M | undefined;
  let loading: Promise<M> | undefined;
  const load = (): Promise<M> => {
    if (module) return Promise.resolve(module);
    loading ??= importModule().then(
      (m) => (module = m),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return { load, loaded: () => module };
}
