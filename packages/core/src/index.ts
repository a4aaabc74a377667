export * from './types.ts';
export * from './store.ts';
export * from './errors.ts';
export * from './clock.ts';
export * from './duration.ts';
export * from './tokens.ts';
