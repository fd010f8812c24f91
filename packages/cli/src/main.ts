// The groundcontrol executable: maps argv to an action and an exit status.
export {};
