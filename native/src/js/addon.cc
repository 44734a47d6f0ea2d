// Module init: the exports are exactly the NativeBinding interface of index.d.ts.
#include <napi.h>

#include "js/constants.h"
#include "js/ops.h"

namespace ovl::js {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("constants", MakeConstants(env));
  RegisterMountOps(env, exports);
  RegisterFsContextOps(env, exports);
  RegisterFsPlanOps(env, exports);
  RegisterXattrOps(env, exports);
  RegisterPathOps(env, exports);
  RegisterExamineOps(env, exports);
  RegisterScanOps(env, exports);
  RegisterWriteOps(env, exports);
  RegisterInotify(env, exports);
  RegisterLockOps(env, exports);
  RegisterStreamOps(env, exports);
  return exports;
}

}  // namespace ovl::js

// NODE_API_MODULE pastes the name into an identifier, so it needs an unqualified one.
static Napi::Object InitOvlNative(Napi::Env env, Napi::Object exports) {
  return ovl::js::Init(env, exports);
}

NODE_API_MODULE(ovl_native, InitOvlNative)
