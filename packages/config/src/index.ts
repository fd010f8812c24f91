// Public surface of @groundcontrol/config.
export {};
