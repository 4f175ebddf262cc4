import type { Config } from '../config/config-schema.js'

/** The feeds.config.json a source-management command edits: its text is kept, so an edit leaves the rest of the file as written. */
export interface ConfigTarget {
  path: string
  fileText: string
  config: Readonly<Config>
  /** The `FEEDLOOM_*` variables the file is loaded with, so the edited file is validated as a run would read it. */
  env?: Readonly<Record<string, string | undefined>>
}
