// Syscalls of RunLegacyMount, in order:
//   mount(source, target, fstype, flags, data)
//   statfs(target)                         [when refuse_readonly and MS_RDONLY is not asked]
//   statx(target, STATX_MNT_ID), statx(target, STATX_MNT_ID_UNIQUE): the new mount's ids
// Undone on failure past mount(2): umount2(target, 0). mount(2) gives no handle, so the
// mount in front of the target right after it is taken to be the one just made — as
// mount(8) does.
#include "sys/legacy_mount.h"
#include "sys/mount_ops.h"
#include "sys/statx_compat.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

namespace ovl::sys {

namespace {
const char* OrNull(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

// Fills the failure of a check after the mount, and takes the mount away again.
bool Undo(const LegacyMountSpec& spec, int neg_errno, const char* syscall, Failure* f) {
  f->Set(neg_errno, syscall);
  f->step = "verify";
  f->path = spec.target;
  Umount2(spec.target.c_str(), 0);
  return false;
}
}  // namespace

bool RunLegacyMount(const LegacyMountSpec& spec, MountIds* ids, Failure* f) {
  if (f->Set(Mount(OrNull(spec.source), spec.target.c_str(), OrNull(spec.fstype), spec.flags, OrNull(spec.data)), "mount")) {
    f->path = spec.target;  // like Node: the mount point names the error
    return false;
  }
  if (spec.refuse_readonly && !(spec.flags & MS_RDONLY)) {
    StatfsInfo info;
    if (int rc = Statfs(spec.target.c_str(), &info); rc < 0) return Undo(spec, rc, "statfs", f);
    if (info.flags & ST_RDONLY) return Undo(spec, -EROFS, "mount", f);
  }
  struct statx stx;
  if (::statx(AT_FDCWD, spec.target.c_str(), 0, STATX_MNT_ID, &stx) < 0) return Undo(spec, -errno, "statx", f);
  ids->mount_id = stx.stx_mnt_id;
  if (::statx(AT_FDCWD, spec.target.c_str(), 0, STATX_MNT_ID_UNIQUE, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID_UNIQUE)) {
    ids->unique_mount_id = stx.stx_mnt_id;
  }
  return true;
}

}  // namespace ovl::sys
