/**
 * The library API: what a program embedding feedloom imports from 'feedloom'. Everything else
 * under dist/ is internal and may move between versions.
 */
export type { Config, FeedSourceConfig, FiltersConfig, JsonSourceConfig, ShareSourceConfig, SourceConfig } from './config/config-schema.js'
export { configJsonSchema } from './config/config-schema.js'
export { loadConfig, type LoadConfigOptions } from './config/load-config.js'
export { readConfig } from './config/read-config.js'
export { BlockedAddressError, ConfigError, describeError, type ErrorCode, FeedloomError, FetchError, type LockOwner, ParseError, PublishError, StoreError, ThreadError, UsageError, XmlSyntaxError } from './errors.js'
export { buildOutputs, type BuildOptions } from './pipeline/build-outputs.js'
export { readStatus, type StatusReport } from './pipeline/read-status.js'
export { runCycle, type CycleOptions, type CycleSummary, type SourceDoneEvent } from './pipeline/run-cycle.js'
export type { OutputFormat } from './publish/plan-feeds.js'
export type { PublishResult } from './publish/publish-outputs.js'
export { renderFeed, type RenderFeedOptions } from './publish/render-feed.js'
export { openStore, StoreLockedError } from './store/open-store.js'
export type { AcquireStoreLockOptions, ItemCounts, OpenStoreOptions, Store, UpsertResult } from './store/open-store.js'
export type { Enclosure, Logger, NormalizedEntry, PageItem, PublishRecord, SourceHealth, SourceState, StoredItem } from './types.js'
