// Syscalls, one per function: mount(2), umount2(2), mknod(2), statfs(2).
// Nothing to undo on failure: each is a single syscall that either happened or did not.
#include "sys/mount_ops.h"

#include <cerrno>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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
