/**
 * The Python runtime of python3.x sandboxes, kept as a string so it ships inside the bundle
 * (written to <sandboxRoot>/runtime/ at start). It speaks only the Runtime API, over one
 * persistent http.client connection, and gives the handler what Lambda's awslambdaric gives it
 * (read for the facts):
 *
 * - `module.function` handlers (`path/module.function` too), imported from the task root;
 *   "Unable to import module '<m>': <reason>" (Runtime.ImportModuleError), "Handler '<f>' missing
 *   on module '<m>'" (Runtime.HandlerNotFound), "Bad handler '<h>': …" (Runtime.MalformedHandlerName),
 *   "Syntax error in module '<m>': …" (Runtime.UserCodeSyntaxError), posted to /init/error.
 * - a context with aws_request_id, function_name, function_version, invoked_function_arn,
 *   memory_limit_in_mb, log_group_name, log_stream_name, client_context, identity and
 *   get_remaining_time_in_millis().
 * - errors as {errorMessage, errorType, requestId, stackTrace}, logged as
 *   "[ERROR] <type>: <message>\rTraceback (most recent call last):\r…"; stdout and stderr
 *   unbuffered; the root logger writes "[LEVEL]\t<time>\t<requestId>\t<message>".
 * - memory: the address space is bounded (RLIMIT_AS, AWS_LAMBDA_FUNCTION_MEMORY_SIZE plus room
 *   for the interpreter's mappings) as a backstop; a MemoryError that escapes the handler ends the
 *   process by SIGKILL, as the memory limit ends a Lambda sandbox.
 */
export const pythonBootstrapSource = String.raw`import http.client
import importlib
import json
import logging
import os
import signal
import sys
import time
import traceback

_api = os.environ["AWS_LAMBDA_RUNTIME_API"]
_host, _port = _api.rsplit(":", 1)
_connection = http.client.HTTPConnection(_host, int(_port))
_request_id = None
_address_space_headroom_bytes = 512 * 1024 * 1024

try:
    import resource

    _limit = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "0")) * 1024 * 1024
    if _limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (_limit + _address_space_headroom_bytes, _limit + _address_space_headroom_bytes))
except Exception:
    pass


def _call(method, path, body=None, headers=None):
    _connection.request(method, "/2018-06-01/runtime/" + path, body=body, headers=headers or {})
    response = _connection.getresponse()
    data = response.read()
    return response.status, response.headers, data


class _Unbuffered(object):
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def write(self, text):
        self.stream.write(text)
        self.stream.flush()

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()


sys.stdout = _Unbuffered(sys.stdout)
sys.stderr = _Unbuffered(sys.stderr)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        return True


class _Handler(logging.Handler):
    def emit(self, record):
        sys.stdout.write(self.format(record))


def _setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = _Handler()
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


class FaultException(Exception):
    def __init__(self, exception_type, msg, trace=None):
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


def _get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException("Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, str(e)), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


def _make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _log_error(error):
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
            else:
                for line in element.splitlines():
                    stripped = line.lstrip(" ")
                    lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")


def _traceback_of(tb):
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for index in range(len(frames)):
        if "/python-bootstrap.py" not in frames[index][0]:
            return frames[index:]
    return frames


class LambdaContext(object):
    def __init__(self, request_id, client_context, identity, deadline_ms, invoked_function_arn):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return int(max(self._deadline_ms - int(round(time.time() * 1000)), 0))

    def log(self, message):
        sys.stdout.write(str(message))


def _handle(handler, request_id, headers, body):
    global _request_id
    _request_id = request_id
    trace = headers.get("Lambda-Runtime-Trace-Id")
    if trace:
        os.environ["_X_AMZN_TRACE_ID"] = trace
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        client_context = headers.get("Lambda-Runtime-Client-Context")
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        context = LambdaContext(
            request_id,
            json.loads(client_context) if client_context else None,
            json.loads(identity) if identity else None,
            int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
        )
        event = json.loads(body) if body else None
        result = handler(event, context)
        payload = json.dumps(result)
    except MemoryError:
        os.kill(os.getpid(), signal.SIGKILL)
        return
    except FaultException as e:
        error = _make_error(e.msg, e.exception_type, e.trace, request_id)
        _post_error(request_id, error)
        return
    except Exception:
        etype, value, tb = sys.exc_info()
        error = _make_error(str(value), etype.__name__, traceback.format_list(_traceback_of(tb)), request_id)
        _post_error(request_id, error)
        return
    _call("POST", "invocation/" + request_id + "/response", payload.encode("utf-8"), {"Content-Type": "application/json"})


def _post_error(request_id, error):
    _log_error(error)
    _call("POST", "invocation/" + request_id + "/error", json.dumps(error).encode("utf-8"), {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error["errorType"]})


def main():
    _setup_logging()
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        handler = _get_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = _make_error(e.msg, e.exception_type, e.trace)
        _log_error(error)
        _call("POST", "init/error", json.dumps(error).encode("utf-8"), {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": e.exception_type})
        sys.exit(1)
    except Exception:
        etype, value, tb = sys.exc_info()
        error = _make_error(str(value), etype.__name__, traceback.format_list(_traceback_of(tb)))
        _log_error(error)
        _call("POST", "init/error", json.dumps(error).encode("utf-8"), {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": "Runtime.Unknown"})
        sys.exit(1)
    while True:
        status, headers, body = _call("GET", "invocation/next")
        _handle(handler, headers.get("Lambda-Runtime-Aws-Request-Id"), headers, body)


main()
`;
