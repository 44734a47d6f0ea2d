#pragma once

#include <napi.h>

namespace ovl::js {

// The frozen `constants` object: every name of the Constants interface in index.d.ts.
Napi::Object MakeConstants(Napi::Env env);

}  // namespace ovl::js
