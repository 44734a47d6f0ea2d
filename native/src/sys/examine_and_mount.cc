// Syscalls of RunExamineAndMount, in order: Examine (see examine.cc) · [UnmetExpectation:
// none] · RunFsMountPlan (fs_context.cc) or RunLegacyMount (legacy_mount.cc) · close of every
// fd Examine opened. Undone on failure: what the mount routines undo; the fds are closed.
// Nothing mounted when an expectation fails: the fds then stay open for the caller.
#include "sys/examine_and_mount.h"

namespace ovl::sys {

bool RunExamineAndMount(const ExamineSpec& examine, const Expectations& expect, MountSpec mount,
                        ExamineAndMountResult* out, Failure* failure) {
  Examine(examine.paths, examine.list_index, examine.list_max, examine.magic, &out->found);
  out->unmet = UnmetExpectation(examine.paths, out->found, expect);
  if (!out->unmet.empty()) return true;
  bool ok;
  if (auto* plan = std::get_if<FsMountPlanSpec>(&mount)) {
    // Every path was opened (an expectation always checked), so each index has its fd.
    for (FsParamSpec& p : plan->params) {
      if (p.type != FsParamSpec::Type::kOpened) continue;
      p.type = FsParamSpec::Type::kFd;
      p.fd = out->found.probes[p.opened_index].fd;
    }
    ok = RunFsMountPlan(*plan, &out->ids, failure);
  } else {
    ok = RunLegacyMount(std::get<LegacyMountSpec>(mount), &out->ids, failure);
  }
  CloseProbes(&out->found.probes);
  out->mounted = ok;
  return ok;
}

}  // namespace ovl::sys
