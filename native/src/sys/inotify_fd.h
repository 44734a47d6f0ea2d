// inotify(7) without an event loop: the fd, the watches, and decoding what read() returns.
// (Not named inotify.h: with "src" on the include path it would shadow <sys/inotify.h>.)
// src/js/inotify_watcher.cc polls the fd in Node's loop and turns events into JS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ovl::sys {

struct InotifyEvent {
  int32_t wd = 0;  // -1 for IN_Q_OVERFLOW
  uint32_t mask = 0;
  uint32_t cookie = 0;  // pairs IN_MOVED_FROM with IN_MOVED_TO; 0 otherwise
  std::string name;     // raw bytes, without the kernel's NUL padding; empty when none
};

// inotify_init1(IN_NONBLOCK|IN_CLOEXEC): the fd, or -errno.
int InotifyInit();
// inotify_add_watch: the watch descriptor, or -errno.
int InotifyAddWatch(int fd, const char* path, uint32_t mask);
// inotify_rm_watch: 0 or -errno.
int InotifyRmWatch(int fd, int wd);

// Appends every whole `struct inotify_event` in buf[0, len) to *out; returns the bytes
// consumed (len, unless the buffer ends inside a record — read() never does that).
size_t ParseInotifyEvents(const char* buf, size_t len, std::vector<InotifyEvent>* out);

// read() into buf until EAGAIN or `max_reads` reads, parsing each chunk into *out.
// Returns 0 (drained or cap reached), or -errno of a read that failed otherwise.
// `cap` must hold one event with the longest name (sizeof(inotify_event) + NAME_MAX + 1).
int ReadInotifyEvents(int fd, char* buf, size_t cap, int max_reads, std::vector<InotifyEvent>* out);

}  // namespace ovl::sys
