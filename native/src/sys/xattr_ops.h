// Extended attributes without following symlinks, -errno style.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ovl::sys {

// Another process can grow a value between the sizing call and the read; a few retries
// cover that without looping forever on a value that keeps changing.
constexpr int kMaxXattrSizingAttempts = 8;

// The sizing-then-read protocol of the *xattr(2) getters: `call(buf, size)` returns the
// size, or -errno (not -1 with errno, so callers on other threads stay exact); retried
// while ERANGE says the value grew in between.
template <class Call>
int ReadXattrSized(Call call, std::string* out) {
  for (int attempt = 0; attempt < kMaxXattrSizingAttempts; ++attempt) {
    ssize_t size = call(nullptr, 0);
    if (size < 0) return static_cast<int>(size);
    out->resize(static_cast<size_t>(size));
    if (size == 0) return 0;
    ssize_t n = call(out->data(), out->size());
    if (n >= 0) {
      out->resize(static_cast<size_t>(n));
      return 0;
    }
    if (n != -ERANGE) return static_cast<int>(n);
  }
  return -ERANGE;
}

int LGetXattr(const char* path, const char* name, std::string* value);
int LSetXattr(const char* path, const char* name, const std::string& value, int flags);
int LListXattr(const char* path, std::vector<std::string>* names);
int LRemoveXattr(const char* path, const char* name);

}  // namespace ovl::sys
