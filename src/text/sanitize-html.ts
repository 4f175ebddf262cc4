import { createRequire } from 'node:module'
import type SanitizeHtml from 'sanitize-html'

export type SanitizeHtmlOptions = SanitizeHtml.IOptions
export type SanitizeHtmlTransformer = SanitizeHtml.Transformer

/**
 * sanitize-html costs ~150 ms of CPU to load and only markup needs it, so it is required on first
 * use: a run whose feeds all answer 304 never loads it.
 */
const requireCjs = createRequire(import.meta.url)
let sanitizeHtmlModule: typeof SanitizeHtml | undefined

/** sanitize-html (an HTML parser, then only what `options` allows), loaded on first use. */
export function sanitizeHtml(html: string, options: SanitizeHtmlOptions): string {
  sanitizeHtmlModule ??= requireCjs('sanitize-html') as typeof SanitizeHtml
  return sanitizeHtmlModule(html, options)
}
