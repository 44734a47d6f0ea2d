// OpenReadLocked syscalls, in order: open(path, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|
// O_CLOEXEC) · fcntl(F_OFD_SETLKW or F_OFD_SETLK, F_RDLCK whole file) or flock(LOCK_SH
// [|LOCK_NB]), retried on EINTR. On failure the fd is closed; on success the caller owns it.
#include "sys/file_lock.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#ifndef F_OFD_SETLK
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

namespace ovl::sys {

namespace {

int LockRecord(int fd, bool wait) {
  struct flock lk {};
  lk.l_type = F_RDLCK;
  lk.l_whence = SEEK_SET;
  lk.l_start = 0;
  lk.l_len = 0;  // to the end of the file, however long it grows
  lk.l_pid = 0;  // must be 0 for OFD locks
  int r;
  while ((r = ::fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &lk)) < 0 && errno == EINTR) {
  }
  return r < 0 ? -errno : 0;
}

int LockFlock(int fd, bool wait) {
  int r;
  while ((r = ::flock(fd, LOCK_SH | (wait ? 0 : LOCK_NB))) < 0 && errno == EINTR) {
  }
  return r < 0 ? -errno : 0;
}

}  // namespace

int OpenReadLocked(const char* path, ReadLockKind kind, bool wait, const char** syscall) {
  *syscall = "open";
  int fd = ::open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return -errno;
  *syscall = kind == ReadLockKind::kRecord ? "fcntl" : "flock";
  int r = kind == ReadLockKind::kRecord ? LockRecord(fd, wait) : LockFlock(fd, wait);
  if (r < 0) {
    ::close(fd);
    return r;
  }
  return fd;
}

}  // namespace ovl::sys
