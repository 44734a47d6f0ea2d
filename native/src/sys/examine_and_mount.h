// A mount that happens only if what is examined first is as expected, in one call (one
// thread hop when async) — the mount counterpart of UmountIf. The caller writes down up front
// what it needs to be true (Expectations); when it is, the layers are mounted through the fds
// just examined, so what was checked is what is mounted. When it is not, nothing is mounted
// and the facts go back to the caller, fds open, to decide (and perhaps mount them) itself.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sys/examine.h"
#include "sys/expectations.h"
#include "sys/failure.h"
#include "sys/fs_context.h"
#include "sys/legacy_mount.h"

namespace ovl::sys {

struct ExamineSpec {
  std::vector<std::string> paths;
  int list_index = -1;
  uint64_t list_max = 0;
  uint64_t magic = 0;
};

// The plan's kOpened params name a path index: FSCONFIG_SET_FD with the fd Examine opened there.
using MountSpec = std::variant<FsMountPlanSpec, LegacyMountSpec>;

struct ExamineAndMountResult {
  bool mounted = false;
  MountIds ids;            // when mounted
  std::string unmet;       // when not: the expectation that did not hold
  Examined found;          // when not: the facts, fds open (the caller closes them)
};

// Returns false only when the mount itself failed (`failure` filled, nothing mounted, every fd
// closed). True: either mounted (every fd closed) or an expectation did not hold (nothing
// mounted, fds open in out->found).
bool RunExamineAndMount(const ExamineSpec& examine, const Expectations& expect, MountSpec mount,
                        ExamineAndMountResult* out, Failure* failure);

}  // namespace ovl::sys
