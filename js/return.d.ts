export interface HandleReturnOptions {
  /** Try to close the tab afterwards (default true). */
  close?: boolean;
  location?: Location;
  history?: History;
}

export interface ReturnResult {
  /** The `layers_oauth_error` code, or null on success. */
  error: string | null;
  /** Whether the tab closed itself; if not, tell the customer they can close it. */
  closed: boolean;
}

/** Reads and strips `layers_oauth_error`, tells the widget, tries to close the tab. */
export function handleReturn(options?: HandleReturnOptions): ReturnResult;
