/** The base path of our REST API. */
export const API_BASE = '/patching/api/v1';
