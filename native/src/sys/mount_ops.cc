// Syscalls, one per function: mount(2), umount2(2), mknod(2), statfs(2); UmountIf is
// statx(target) then umount2(target) when the id matches, else statx(parent dir).
// Nothing to undo on failure: each is a single syscall that either happened or did not.
#include "sys/mount_ops.h"
#include "sys/statx_compat.h"

#include <cerrno>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <fcntl.h>

#include <string>

namespace ovl::sys {

namespace {
// statfs(2) sets ST_VALID to say f_flags is meaningful; it is not a mount property, so
// dropping it lets callers compare flags against ST_* constants directly.
constexpr uint64_t kStValid = 0x0020;

int ErrnoOr(int rc) { return rc < 0 ? -errno : rc; }
}  // namespace

int Mount(const char* source, const char* target, const char* fstype, unsigned long flags,
          const void* data) {
  return ErrnoOr(::mount(source, target, fstype, flags, data));
}

int Umount2(const char* target, int flags) { return ErrnoOr(::umount2(target, flags)); }

#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 0x00000008
#endif

int UmountIf(const char* target, uint64_t id, bool unique, int flags, UmountIfResult* out) {
  const unsigned mask = unique ? STATX_MNT_ID_UNIQUE : STATX_MNT_ID;
  const int at = (flags & UMOUNT_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0;
  struct statx stx;
  if (::statx(AT_FDCWD, target, at, mask, &stx) < 0) return 0;  // nothing there to unmount
  out->target_exists = true;
  out->front_id = stx.stx_mnt_id;
  if (out->front_id == id) {
    int rc = ErrnoOr(::umount2(target, flags));
    out->unmounted = rc == 0;
    return rc;
  }
  std::string parent(target);
  parent += "/..";
  if (::statx(AT_FDCWD, parent.c_str(), 0, mask, &stx) == 0) out->parent_id = stx.stx_mnt_id;
  return 0;
}

int Mknod(const char* path, uint32_t mode, uint32_t major, uint32_t minor) {
  return ErrnoOr(::mknod(path, mode, makedev(major, minor)));
}

int Statfs(const char* path, StatfsInfo* out) {
  struct statfs st;
  if (::statfs(path, &st) < 0) return -errno;
  out->type = static_cast<int64_t>(st.f_type);
  out->flags = static_cast<uint64_t>(st.f_flags) & ~kStValid;
  return 0;
}

}  // namespace ovl::sys
