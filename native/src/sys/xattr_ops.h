// Extended attributes without following symlinks, -errno style.
#pragma once

#include <string>
#include <vector>

namespace ovl::sys {

int LGetXattr(const char* path, const char* name, std::string* value);
int LSetXattr(const char* path, const char* name, const std::string& value, int flags);
int LListXattr(const char* path, std::vector<std::string>* names);
int LRemoveXattr(const char* path, const char* name);

}  // namespace ovl::sys
