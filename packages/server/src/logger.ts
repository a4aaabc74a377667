import pino, { type Logger } from 'pino';

/** Paths that could ever hold a credential are censored before anything is written. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.totp',
  '*.code',
  '*.secret',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination ?? process.stdout);
}
