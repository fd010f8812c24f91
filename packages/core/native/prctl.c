// The one libc call Ground Control makes before its first spawn when another process is PID 1:
// prctl(PR_SET_CHILD_SUBREAPER), so that an orphan of the very first command still comes home.
// koffi makes it as well, but loading koffi takes ~2 ms of that start-up and this ~0.3 ms.
// Built by scripts/build-native.mjs where a C compiler and Node's headers exist; without it,
// Ground Control uses koffi (src/prctl-bridge.ts). Everything else native still goes through koffi.
#define NAPI_VERSION 8
#include <errno.h>
#include <node_api.h>
#include <sys/prctl.h>

// setChildSubreaper(): 0, or the errno prctl failed with.
static napi_value set_child_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  int error = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : errno;
  napi_value result;
  return napi_create_int32(env, error, &result) == napi_ok ? result : NULL;
}

// isChildSubreaper(): whether this process is a child subreaper now.
static napi_value is_child_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  int flag = 0;
  if (prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0) != 0) flag = 0;
  napi_value result;
  return napi_get_boolean(env, flag != 0, &result) == napi_ok ? result : NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor functions[] = {
      {"setChildSubreaper", NULL, set_child_subreaper, NULL, NULL, NULL, napi_enumerable, NULL},
      {"isChildSubreaper", NULL, is_child_subreaper, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, 2, functions) == napi_ok ? exports : NULL;
}
