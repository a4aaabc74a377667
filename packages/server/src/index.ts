export { loadConfig, ConfigError, type ServerConfig } from './config.ts';
export { startServer, type RunningServer, type StartOptions } from './server.ts';
export { buildApp } from './app.ts';
export type { AppContext, TokenMode } from './context.ts';
export { argon2Hasher } from './passwords.ts';
export { createLogger, REDACT_PATHS } from './logger.ts';
