// Preloaded (node --require) into the Portkey gateway by tests/test_portkey.py. The gateway calls
// serve({fetch, port}) without a host, so it would listen on every interface, and has no flag for a
// host: this makes a listen() given a port but no host (or a wildcard host) listen on 127.0.0.1.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
const WILDCARD = new Set([undefined, "", "0.0.0.0", "::"]);
net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (first !== null && typeof first === "object" && !Array.isArray(first) && "port" in first) {
    if (WILDCARD.has(first.host)) args[0] = { ...first, host: "127.0.0.1" };
  } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    if (typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
    else if (WILDCARD.has(args[1])) args[1] = "127.0.0.1";
  }
  return listen.apply(this, args);
};
