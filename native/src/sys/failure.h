// What a failed syscall sequence leaves behind, in plain C++ so src/sys stays free of napi.h.
// src/js/errors.cc turns it into the JS Error described by NativeErrorFields in index.d.ts.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ovl::sys {

struct Failure {
  int err = 0;  // positive errno; 0 means the call succeeded
  const char* syscall = "";
  const char* step = nullptr;  // only set inside a sequence (the mount plan)
  std::optional<std::string> key;
  int param_index = -1;  // -1: not about one plan parameter
  std::optional<std::string> path;
  std::optional<std::string> dest;
  std::vector<std::string> kernel_messages;

  bool failed() const { return err != 0; }

  // Records a -errno style return; returns true when it was a failure.
  bool Set(int neg_errno, const char* name) {
    if (neg_errno >= 0) return false;
    err = -neg_errno;
    syscall = name;
    return true;
  }
};

}  // namespace ovl::sys
