// The new mount API (fsopen/fsconfig/fsmount/move_mount) as raw -errno wrappers, plus the
// whole "plan" sequence that mounts a filesystem in one call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sys/failure.h"

namespace ovl::sys {

int FsOpen(const char* fstype, unsigned int flags);
int FsConfig(int fd, unsigned int cmd, const char* key, const void* value, int aux);
int FsMount(int fd, unsigned int flags, unsigned int attrs);
int MoveMount(int from_dfd, const char* from_path, int to_dfd, const char* to_path,
              unsigned int flags);
int Close(int fd);

// Reads every pending message of an fs_context fd ("e overlay: ..."), oldest first.
// Returns 0 once the log is empty, -errno if reading failed for another reason.
int ReadFsLog(int fd, std::vector<std::string>* out);

// Drains the log only if `fd` really is an fs_context: read(2) on anything else could block
// or eat someone's data, and the raw calls accept any fd number.
void ReadFsLogIfFsContext(int fd, std::vector<std::string>* out);

struct FsParamSpec {
  // kOpened: only inside RunExamineAndMount, which turns it into kFd with the fd it opened
  // for path `opened_index`; RunFsMountPlan refuses it.
  enum class Type { kFlag, kString, kPath, kFd, kOpened };
  Type type = Type::kFlag;
  std::string key;
  std::string value;  // kString: the value; kPath: the path to open
  int fd = -1;        // kFd
  bool no_follow = false;
  uint32_t opened_index = 0;  // kOpened
};

struct FsMountPlanSpec {
  std::string fstype;
  std::vector<FsParamSpec> params;
  unsigned int attrs = 0;
  std::string target;
  bool refuse_readonly = false;
};

// The new mount's ids, read from its fd before it is attached.
struct MountIds {
  uint64_t mount_id = 0;         // STATX_MNT_ID: the number /proc/self/mountinfo shows (reused later)
  uint64_t unique_mount_id = 0;  // STATX_MNT_ID_UNIQUE (6.8+): never reused; 0 when unknown
};

// Returns true on success, with the new mount's ids in `ids`; on failure fills `failure`
// (step, key, param_index, path, kernel_messages) and leaves nothing mounted and no fd open.
bool RunFsMountPlan(const FsMountPlanSpec& plan, MountIds* ids, Failure* failure);

}  // namespace ovl::sys
