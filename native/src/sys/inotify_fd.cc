// Syscalls: inotify_init1(IN_NONBLOCK|IN_CLOEXEC); inotify_add_watch; inotify_rm_watch;
// read(fd) repeated until EAGAIN (bounded). Nothing to undo: the caller owns the fd.
#include "sys/inotify_fd.h"

#include <cerrno>
#include <cstring>
#include <sys/inotify.h>
#include <unistd.h>

namespace ovl::sys {

int InotifyInit() {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

int InotifyAddWatch(int fd, const char* path, uint32_t mask) {
  int wd = ::inotify_add_watch(fd, path, mask);
  return wd >= 0 ? wd : -errno;
}

int InotifyRmWatch(int fd, int wd) { return ::inotify_rm_watch(fd, wd) == 0 ? 0 : -errno; }

size_t ParseInotifyEvents(const char* buf, size_t len, std::vector<InotifyEvent>* out) {
  size_t off = 0;
  while (len - off >= sizeof(struct inotify_event)) {
    struct inotify_event head;
    std::memcpy(&head, buf + off, sizeof head);  // no alignment assumption about buf
    size_t record = sizeof head + head.len;
    if (len - off < record) break;
    InotifyEvent& e = out->emplace_back();
    e.wd = head.wd;
    e.mask = head.mask;
    e.cookie = head.cookie;
    const char* name = buf + off + sizeof head;
    e.name.assign(name, strnlen(name, head.len));  // the kernel pads with NULs
    off += record;
  }
  return off;
}

int ReadInotifyEvents(int fd, char* buf, size_t cap, int max_reads, std::vector<InotifyEvent>* out) {
  for (int i = 0; i < max_reads; ++i) {
    ssize_t n = ::read(fd, buf, cap);
    if (n < 0) {
      if (errno == EINTR) {
        --i;
        continue;
      }
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    }
    if (n == 0) return 0;
    ParseInotifyEvents(buf, static_cast<size_t>(n), out);
  }
  return 0;
}

}  // namespace ovl::sys
