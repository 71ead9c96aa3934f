/**
 * The Glue service's wire errors (docs/glue.md, "Errors"): unqualified `__type`s, HTTP 400 except
 * the internal error. The not-found and already-exists texts are the ones Glue answers with
 * ("Database x not found.", "Table y not found.", "Table already exists."); botocore's model
 * names the types each operation may answer.
 */
import { ServiceError } from "../protocol/service-error.js";

export const glueErrors = {
  databaseNotFound: (name: string) => new ServiceError("EntityNotFoundException", `Database ${name} not found.`, 400),
  tableNotFound: (name: string) => new ServiceError("EntityNotFoundException", `Table ${name} not found.`, 400),
  versionNotFound: () => new ServiceError("EntityNotFoundException", "Version not found.", 400),
  databaseExists: () => new ServiceError("AlreadyExistsException", "Database already exists.", 400),
  tableExists: () => new ServiceError("AlreadyExistsException", "Table already exists.", 400),
  invalidInput: (message: string) => new ServiceError("InvalidInputException", message, 400),
  /** UpdateTable whose VersionId is not the table's current version (optimistic locking). */
  concurrentModification: (message: string) => new ServiceError("ConcurrentModificationException", message, 400),
  accessDenied: (principalArn: string, iamAction: string, resourceArn: string, explicit: boolean) =>
    new ServiceError(
      "AccessDeniedException",
      `User: ${principalArn} is not authorized to perform: ${iamAction} on resource: ${resourceArn} ` +
        (explicit ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${iamAction} action`),
      400,
    ),
  internal: (cause: unknown) => new ServiceError("InternalServiceException", "An internal service error occurred.", 500, { cause }),
};
