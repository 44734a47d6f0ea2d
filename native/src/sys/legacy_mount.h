// mount(2) and the checks that can only follow it, in one call (one thread hop when async).
#pragma once

#include <optional>
#include <string>

#include "sys/failure.h"
#include "sys/fs_context.h"

namespace ovl::sys {

struct LegacyMountSpec {
  std::optional<std::string> source, fstype, data;
  std::string target;
  unsigned long flags = 0;
  // Undo and refuse a mount that came up read-only (a writable overlay whose work dir the
  // kernel could not use): EROFS, step "verify", syscall "mount".
  bool refuse_readonly = false;
};

// Returns true with the ids of the mount now in front of the target. On failure fills
// `failure` (syscall, step "verify" past the mount itself, path = target) and leaves
// nothing mounted.
bool RunLegacyMount(const LegacyMountSpec& spec, MountIds* ids, Failure* failure);

}  // namespace ovl::sys
