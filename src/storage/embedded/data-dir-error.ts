/** A data directory the engine cannot use; its message is one line a person can act on. */
export class DataDirError extends Error {
  override name = "DataDirError";
}

/** A filesystem error in words, code kept: "permission denied (EACCES)". */
export function errnoText(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "EACCES":
    case "EPERM":
      return `permission denied (${error.code})`;
    case "EROFS":
      return "read-only file system (EROFS)";
    case "ENOSPC":
      return "no space left on device (ENOSPC)";
    case "ENOTDIR":
      return "not a directory (ENOTDIR)";
    default:
      return error.code === undefined ? error.message : `${error.code} (${error.message})`;
  }
}
