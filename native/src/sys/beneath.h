// What every "beneath a root" call shares: an fd that closes itself, and openat2 that never
// passes a symlink nor leaves the dir it starts from.
#pragma once

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ovl::sys {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// openat2(dirfd, rel, flags | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS): the fd, or -errno (ELOOP: a symlink on the way; EXDEV: the path
// leaves dirfd; ENOSYS: a kernel before 5.6).
inline int OpenBeneath(int dirfd, const char* rel, uint64_t flags) {
#ifdef SYS_openat2
  struct {
    uint64_t flags, mode, resolve;
  } how = {flags | O_CLOEXEC, 0, 0x08 /* BENEATH */ | 0x04 /* NO_SYMLINKS */ | 0x02 /* NO_MAGICLINKS */};
  int fd = static_cast<int>(::syscall(SYS_openat2, dirfd, rel, &how, sizeof how));
  return fd < 0 ? -errno : fd;
#else
  (void)dirfd;
  (void)rel;
  (void)flags;
  return -ENOSYS;
#endif
}

}  // namespace ovl::sys
