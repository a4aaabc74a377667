export * from './event-ids.ts';
export * from './event-feed.ts';
export * from './resume.ts';
