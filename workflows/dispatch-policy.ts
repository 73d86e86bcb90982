/** Dispatch attempts before a test counts as errored; shared by the workflow's retry policy and the activity. */
export const maxDispatchAttempts = 6;
