/**
 * The Node.js runtime of nodejs20.x / nodejs22.x sandboxes: a CommonJS program, kept as a string so
 * it ships inside the single-file bundle (written to <sandboxRoot>/runtime/ at start, as
 * src/s3/body/hash-worker-source.ts's worker is). It speaks only the Runtime API (no shortcut into
 * the server), as Lambda's own runtime interface client does, and reproduces what a handler sees
 * there (aws-lambda-nodejs-runtime-interface-client, read for the facts):
 *
 * - the handler `path/module.export.nested` is loaded from LAMBDA_TASK_ROOT: an extensionless file,
 *   `.js` as CommonJS unless the nearest package.json says "type": "module", `.mjs` as an ES module,
 *   `.cjs`; then Node's resolution. A module that cannot be found: Runtime.ImportModuleError; an
 *   export that is missing: Runtime.HandlerNotFound ("<handler> is undefined or not exported");
 *   not a function: Runtime.HandlerNotFound ("<handler> is not a function"); a syntax error:
 *   Runtime.UserCodeSyntaxError. Init errors go to /init/error and the process exits.
 * - async handlers (a returned promise) answer when it settles; callback handlers answer when the
 *   callback is called and, with context.callbackWaitsForEmptyEventLoop (the default), once the
 *   event loop is empty; a handler that neither returns a promise nor calls back answers null once
 *   the loop is empty.
 * - console.* writes `<ISO time>\t<requestId>\t<LEVEL>\t<message>` lines, newlines inside a message
 *   as \r so one call is one log event.
 * - errors go to /error as {errorType, errorMessage, trace}; an uncaught exception or unhandled
 *   rejection fails the invocation and ends the process (exit 129 / 128), as on Lambda.
 *
 * The Runtime API client keeps one keep-alive socket (the event and the answer travel on it).
 */
export const nodeBootstrapSource = String.raw`"use strict";
const http = require("node:http");
const path = require("node:path");
const fs = require("node:fs");
const util = require("node:util");
const { pathToFileURL } = require("node:url");

const [apiHost, apiPortText] = String(process.env.AWS_LAMBDA_RUNTIME_API).split(":");
const apiPort = Number(apiPortText);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 60000 });
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerName = process.env._HANDLER || "";
let currentRequestId;

function call(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const requestHeaders = Object.assign({}, headers);
    if (body !== undefined) requestHeaders["Content-Length"] = Buffer.byteLength(body);
    const request = http.request({ agent, host: apiHost, port: apiPort, method, path: "/2018-06-01/runtime/" + urlPath, headers: requestHeaders }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

// --- logging: Lambda's text format on stdout -------------------------------------------------
function writeLog(level, args) {
  const message = util.format.apply(util, args);
  const line = new Date().toISOString() + "\t" + currentRequestId + "\t" + level + "\t" + message;
  process.stdout.write(line.replace(/\n/g, "\r") + "\n");
}
console.log = (...args) => writeLog("INFO", args);
console.info = (...args) => writeLog("INFO", args);
console.debug = (...args) => writeLog("DEBUG", args);
console.warn = (...args) => writeLog("WARN", args);
console.error = (...args) => writeLog("ERROR", args);
console.trace = (...args) => writeLog("TRACE", args);
console.fatal = (...args) => writeLog("FATAL", args);

// --- errors -----------------------------------------------------------------------------------
class RuntimeError extends Error {}
function runtimeError(name, message) {
  const error = new RuntimeError(message);
  error.name = "Runtime." + name;
  return error;
}
function isError(value) {
  return util.types.isNativeError(value) || (value && typeof value.name === "string" && typeof value.message === "string" && typeof value.stack === "string");
}
function toRapidResponse(error) {
  try {
    if (isError(error)) return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split("\n") };
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch (_failure) {
    return { errorType: "handled", errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack" };
  }
}
function toFormatted(error) {
  try {
    return "\t" + JSON.stringify(error, (_key, value) => {
      if (!(value instanceof Error)) return value;
      const shown = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
      if (typeof value.stack === "string") shown.stack = value.stack.split("\n");
      return shown;
    });
  } catch (_failure) {
    return "\t" + JSON.stringify(toRapidResponse(error));
  }
}

// --- loading the handler ------------------------------------------------------------------------
function typeModuleAt(folder) {
  if (folder.endsWith("/node_modules")) return false;
  const manifest = path.join(folder, "package.json");
  if (fs.existsSync(manifest)) {
    try {
      return JSON.parse(fs.readFileSync(manifest, "utf8")).type === "module";
    } catch (_failure) {
      return false;
    }
  }
  const parent = path.resolve(folder, "..");
  return parent === folder ? false : typeModuleAt(parent);
}
function tryRequire(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}
async function tryImport(file) {
  return fs.existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}
async function loadModule(moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const extensionless = fs.existsSync(base) && fs.statSync(base).isFile() ? require(base) : undefined;
  if (extensionless) return extensionless;
  const typeModule = typeModuleAt(path.dirname(base));
  if (!typeModule) {
    const loaded = tryRequire(base + ".js");
    if (loaded) return loaded;
  }
  const loaded = (typeModule && (await tryImport(base + ".js"))) || (await tryImport(base + ".mjs")) || tryRequire(base + ".cjs");
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] }));
}
async function loadHandler() {
  if (handlerName.includes("..")) throw runtimeError("MalformedHandlerName", "'" + handlerName + "' is not a valid handler name. Use absolute paths when specifying root directories in handler names.");
  const handlerString = path.basename(handlerName);
  const moduleRoot = handlerName.substring(0, handlerName.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) throw runtimeError("MalformedHandlerName", "Bad handler");
  let userModule;
  try {
    userModule = await loadModule(moduleRoot, match[1]);
  } catch (error) {
    if (error instanceof SyntaxError) throw runtimeError("UserCodeSyntaxError", String(error));
    if (error && error.code === "MODULE_NOT_FOUND") throw runtimeError("ImportModuleError", String(error));
    throw error;
  }
  const handler = match[2].split(".").reduce((nested, key) => nested && nested[key], userModule);
  if (!handler) throw runtimeError("HandlerNotFound", handlerName + " is undefined or not exported");
  if (typeof handler !== "function") throw runtimeError("HandlerNotFound", handlerName + " is not a function");
  return handler;
}

// --- the invocation loop ----------------------------------------------------------------------
let answered = true;
let invocationDone = () => {};
function settle(posting) {
  const done = invocationDone;
  return posting.then(done, (error) => {
    done();
    throw error;
  });
}
function postResult(requestId, result) {
  if (answered) return Promise.resolve();
  answered = true;
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch (error) {
    answered = false;
    return postError(requestId, error);
  }
  return settle(call("POST", "invocation/" + requestId + "/response", body === undefined ? "null" : body, { "Content-Type": "application/json" }));
}
function postError(requestId, error) {
  if (answered) return Promise.resolve();
  answered = true;
  const document = toRapidResponse(error);
  console.error("Invoke Error", toFormatted(error));
  return settle(call("POST", "invocation/" + requestId + "/error", JSON.stringify(document), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": document.errorType,
  }));
}
function emptyEventLoop() {
  return new Promise((resolve) => process.once("beforeExit", resolve));
}

function contextOf(headers) {
  const deadlineMs = Number(headers["lambda-runtime-deadline-ms"]);
  const clientContext = headers["lambda-runtime-client-context"];
  const identity = headers["lambda-runtime-cognito-identity"];
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    identity: identity ? JSON.parse(identity) : undefined,
    getRemainingTimeInMillis: () => deadlineMs - Date.now(),
  };
  return context;
}

/** Runs the handler; resolves once its answer has been posted. */
function invoke(handler, requestId, event, context) {
  return new Promise((resolve) => {
    answered = false;
    invocationDone = resolve;
    let calledBack = false;
    const callback = (error, result) => {
      if (calledBack) return;
      calledBack = true;
      const post = () => (error !== undefined && error !== null ? postError(requestId, error) : postResult(requestId, result));
      if (context.callbackWaitsForEmptyEventLoop) emptyEventLoop().then(post);
      else post();
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (error) => callback(error === undefined || error === null ? "handled" : error);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      postError(requestId, error);
      return;
    }
    if (returned && typeof returned.then === "function") {
      Promise.resolve(returned).then((result) => postResult(requestId, result), (error) => postError(requestId, error));
    } else if (!calledBack) {
      emptyEventLoop().then(() => (calledBack ? undefined : postResult(requestId, null)));
    }
  });
}

async function loop(handler) {
  for (;;) {
    const next = await call("GET", "invocation/next");
    const requestId = next.headers["lambda-runtime-aws-request-id"];
    currentRequestId = requestId;
    const trace = next.headers["lambda-runtime-trace-id"];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    let context;
    try {
      context = contextOf(next.headers);
      event = JSON.parse(next.body.length > 0 ? next.body.toString("utf8") : "null");
    } catch (error) {
      await new Promise((resolve) => {
        answered = false;
        invocationDone = resolve;
        postError(requestId, error);
      });
      continue;
    }
    await invoke(handler, requestId, event, context);
  }
}

process.on("uncaughtException", (error) => {
  console.error("Uncaught Exception", toFormatted(error));
  const finish = () => process.exit(129);
  if (currentRequestId !== undefined && !answered) postError(currentRequestId, error).then(finish, finish);
  else finish();
});
process.on("unhandledRejection", (reason) => {
  const error = runtimeError("UnhandledPromiseRejection", String(isError(reason) ? reason.name + ": " + reason.message : reason));
  error.reason = reason;
  console.error("Unhandled Promise Rejection", toFormatted(error));
  const finish = () => process.exit(128);
  if (currentRequestId !== undefined && !answered) postError(currentRequestId, error).then(finish, finish);
  else finish();
});

(async () => {
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    console.error("Uncaught Exception", toFormatted(error));
    const document = toRapidResponse(error);
    await call("POST", "init/error", JSON.stringify(document), { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": document.errorType }).catch(() => {});
    process.exit(129);
  }
  await loop(handler);
})();
`;
