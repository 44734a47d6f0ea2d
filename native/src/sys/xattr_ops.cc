// Syscalls: lgetxattr(2) / llistxattr(2) called first with size 0 to learn the size, then
// with a buffer of that size, retried while ERANGE says the value grew in between;
// lsetxattr(2); lremovexattr(2).
// Nothing to undo on failure: reads have no effect, writes are single syscalls.
#include "sys/xattr_ops.h"

#include <cerrno>
#include <sys/xattr.h>

namespace ovl::sys {

int LGetXattr(const char* path, const char* name, std::string* value) {
  return ReadXattrSized(
      [&](char* buf, size_t size) -> ssize_t {
        ssize_t n = ::lgetxattr(path, name, buf, size);
        return n >= 0 ? n : -errno;
      },
      value);
}

int LSetXattr(const char* path, const char* name, const std::string& value, int flags) {
  if (::lsetxattr(path, name, value.data(), value.size(), flags) < 0) return -errno;
  return 0;
}

int LListXattr(const char* path, std::vector<std::string>* names) {
  std::string list;
  int rc = ReadXattrSized(
      [&](char* buf, size_t size) -> ssize_t {
        ssize_t n = ::llistxattr(path, buf, size);
        return n >= 0 ? n : -errno;
      },
      &list);
  if (rc < 0) return rc;
  // The kernel returns "name1\0name2\0"; every name, including the last, ends in NUL.
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find('\0', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) names->emplace_back(list, start, end - start);
    start = end + 1;
  }
  return 0;
}

int LRemoveXattr(const char* path, const char* name) {
  if (::lremovexattr(path, name) < 0) return -errno;
  return 0;
}

}  // namespace ovl::sys
