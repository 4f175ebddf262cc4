/** Something that went wrong for one item or page while its source as a whole still counts as ok. */
export interface SourceWarning {
  sourceId: string
  /** The request that failed: a detail API URL, a share page, a full-text page. */
  url: string
  infoCode?: string
  code: string
  message: string
}
