// Public surface of @groundcontrol/core.
export * from "./spec.js";
