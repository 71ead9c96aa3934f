/** The web console served at `/` (docs/console.md). */
export { consolePages, consoleAssetPrefix, type ConsoleSettings, type ConsolePage } from "./console-pages.js";
export { AssetStore, assetsDir } from "./asset-files.js";
