/**
 * Serves a service's admin route (protocol/service-module.ts) as an HTTP route: the request's
 * body is read only when the route asks, within the route's own bound.
 */
import type { AdminRoute } from "../protocol/service-module.js";
import type { HttpRoute } from "./create-server.js";
import { readBody } from "./request-body.js";

export function adminHttpRoute(route: AdminRoute): HttpRoute {
  return {
    path: route.path,
    methods: route.methods,
    respond(request) {
      const declared = request.headers["content-length"];
      const declaredLength = typeof declared === "string" && /^\d+$/.test(declared) ? Number(declared) : undefined;
      const url = request.url ?? "";
      const queryStart = url.indexOf("?");
      return route.respond({
        query: new URLSearchParams(queryStart < 0 ? "" : url.slice(queryStart + 1)),
        method: request.method ?? "GET",
        declaredLength,
        readBody: (bytesMax, discardBytesMax) => readBody(request, bytesMax, declaredLength, discardBytesMax),
      });
    },
  };
}
