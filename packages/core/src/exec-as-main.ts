// The exec-as helper as a script of its own (node dist/exec-as-main.js), for core used as a
// library; the groundcontrol executable runs the same helper as a mode of itself.
import { execAsMain } from "./exec-as.js";

void execAsMain();
