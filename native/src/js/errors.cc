#include "js/errors.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace ovl::js {

namespace {

// musl and old glibc lack strerrorname_np; these are the errnos mount, xattr and path
// syscalls actually return.
const char* KnownErrnoName(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case ENOTBLK: return "ENOTBLK";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ELOOP: return "ELOOP";
    case ENODATA: return "ENODATA";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EMSGSIZE: return "EMSGSIZE";
    case ESTALE: return "ESTALE";
    default: return nullptr;
  }
}

std::string Describe(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* desc = strerrordesc_np(err);
  std::string text = desc != nullptr ? desc : "unknown error " + std::to_string(err);
#else
  // Errors are only built on the JS thread, so strerror's static buffer is not shared.
  std::string text = std::strerror(err);
#endif
  // Node (libuv) spells descriptions in lower case: "no such file or directory".
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

Napi::String Str(Napi::Env env, const std::string& s) {
  return Napi::String::New(env, s.data(), s.size());
}

}  // namespace

std::string ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* name = strerrorname_np(err)) return name;
#endif
  if (const char* name = KnownErrnoName(err)) return name;
  return "E" + std::to_string(err);
}

Napi::Error MakeNativeError(Napi::Env env, const sys::Failure& f) {
  std::string code = ErrnoName(f.err);
  std::string message = code + ": " + Describe(f.err) + ", " + f.syscall;
  if (f.key) message += " (" + *f.key + ")";
  if (f.path) message += " '" + *f.path + "'";
  if (f.dest) message += " -> '" + *f.dest + "'";

  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("errno", Napi::Number::New(env, f.err));
  obj.Set("code", Str(env, code));
  obj.Set("syscall", Napi::String::New(env, f.syscall));
  if (f.step) obj.Set("step", Napi::String::New(env, f.step));
  if (f.key) obj.Set("key", Str(env, *f.key));
  if (f.param_index >= 0) obj.Set("paramIndex", Napi::Number::New(env, f.param_index));
  if (f.path) obj.Set("path", Str(env, *f.path));
  if (f.dest) obj.Set("dest", Str(env, *f.dest));
  Napi::Array messages = Napi::Array::New(env, f.kernel_messages.size());
  for (size_t i = 0; i < f.kernel_messages.size(); ++i) {
    messages.Set(static_cast<uint32_t>(i), Str(env, f.kernel_messages[i]));
  }
  obj.Set("kernelMessages", messages);
  return error;
}

}  // namespace ovl::js
