/** Said after `add`, `remove` and `import-opml` change the config: the worker rereads it by itself. */
export const WORKER_PICKS_UP = 'the running worker (feedloom start) picks it up at its next cycle; no restart needed'
