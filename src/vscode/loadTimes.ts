/** When dist/extension.js began and finished loading the extension bundle (ms since the epoch); see extensionBin.ts. */
export interface LoadTimes {
  readonly start: number;
  readonly end: number;
}
