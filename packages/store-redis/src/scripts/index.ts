// Lua scripts by what they keep; each runs atomically in Redis (see sessions.ts for the key rules).
export { CREATE_SESSION, UPDATE_SESSION, END_SESSION, END_USER_SESSIONS, TIME_OUT_USER } from './sessions.ts';
export { INCREMENT, DECREMENT, SAVE_DEVICE, UPDATE_USER, USE_SECOND_FACTOR, WRITE_SESSION_DATA, TOUCH_APP_KEY } from './records.ts';
export { RECORD_EVENT, ENQUEUE_DELIVERIES, IMPORT_DELIVERY, CLAIM_DELIVERIES, SETTLE_DELIVERY, PURGE_DELIVERIES } from './deliveries.ts';
