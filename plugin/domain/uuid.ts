const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a UUID: ids that are not name nothing, and must never reach a uuid column. */
export const isUuid = (value: string): boolean => uuidPattern.test(value);
