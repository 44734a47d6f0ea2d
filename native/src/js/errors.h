// Turns a sys::Failure into the JS Error described by NativeErrorFields in index.d.ts.
#pragma once

#include <napi.h>

#include "sys/failure.h"

namespace ovl::js {

// "EINVAL: invalid argument, fsconfig (redirect_dir) 'nonsense'" with errno, code, syscall,
// step, key, paramIndex, path, dest and kernelMessages set as properties.
Napi::Error MakeNativeError(Napi::Env env, const sys::Failure& failure);

// Errno name such as "ENOENT"; "E<number>" when the libc does not know it.
std::string ErrnoName(int err);

}  // namespace ovl::js
